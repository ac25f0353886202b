/**
 * A Mosquitto of the test's own, started with `deploy/mosquitto.conf` on a free port with its
 * own persistence directory: tests never use the machine's broker. Skip with a clear message
 * where `mosquitto` is not installed (`mosquittoMissing`).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const deployConf = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../deploy/mosquitto.conf',
);

const binary = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => fs.existsSync(p));
/** Why broker tests are skipped here, or undefined when Mosquitto can run. */
export const mosquittoMissing: string | undefined = binary
  ? spawnSync(binary, ['-h']).status === null
    ? 'mosquitto does not run on this machine'
    : undefined
  : 'mosquitto is not installed (apt-get install mosquitto)';

export interface TestBroker {
  port: number;
  url: string;
  /** Persistence directory, kept across restarts. */
  dir: string;
  /** The generated configuration (deploy/mosquitto.conf plus listener and persistence). */
  confFile: string;
  /** Stops the broker (SIGTERM: it saves its persistence) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and directory; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Broker log so far (for failure messages). */
  log(): string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Starts Mosquitto with `deploy/mosquitto.conf` (plus `extraConf` lines) on a free port.
 * `extraConf` may use `{dir}` for the broker's directory.
 */
export async function startTestBroker(
  options: { extraConf?: string[]; port?: number } = {},
): Promise<TestBroker> {
  if (!binary) throw new Error(mosquittoMissing);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onegrid-mosquitto-'));
  // Run as root, Mosquitto drops to the `mosquitto` user, which must write its persistence here.
  if (process.getuid?.() === 0) fs.chmodSync(dir, 0o777);
  const port = options.port ?? (await freePort());
  const confFile = path.join(dir, 'mosquitto.conf');
  const lines = [
    fs.readFileSync(deployConf, 'utf8'),
    `listener ${port} 127.0.0.1`,
    `persistence_location ${dir}/`,
    ...(options.extraConf ?? []).map((l) => l.replaceAll('{dir}', dir)),
  ];
  fs.writeFileSync(confFile, `${lines.join('\n')}\n`);
  let child: ChildProcess | undefined;
  let output = '';

  async function start(): Promise<void> {
    const proc = spawn(binary as string, ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (d) => {
      output += String(d);
    });
    proc.stderr?.on('data', (d) => {
      output += String(d);
    });
    const exited = new Promise<never>((_, reject) =>
      proc.once('exit', (code) => reject(new Error(`mosquitto exited (${code}) at start:\n${output}`))),
    );
    exited.catch(() => {});
    // Poll until the listener accepts: the broker's own readiness signal.
    for (let i = 0; i < 500; i++) {
      if (proc.exitCode !== null) await exited;
      if (await accepts(port)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`mosquitto did not listen on ${port}:\n${output}`);
  }

  async function stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const done = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await done;
  }

  await start();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    dir,
    confFile,
    stop,
    start,
    log: () => output,
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
