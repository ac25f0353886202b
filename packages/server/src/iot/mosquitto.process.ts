/**
 * A Mosquitto process of OneGrid's own, started with `deploy/mosquitto.conf` on a free port and a
 * directory of its own (persistence): what `onegrid bench ingest` measures in server mode instead
 * of whatever broker the machine runs. The test harness (test/mosquitto-harness.ts) does the same
 * for the tests.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** deploy/mosquitto.conf of this checkout. */
export const deployMosquittoConf = path.resolve(import.meta.dirname, '../../../../deploy/mosquitto.conf');

const binary = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) =>
  fs.existsSync(p),
);

/** Why Mosquitto cannot be started here, or undefined when it can. */
export function mosquittoUnavailable(): string | undefined {
  if (!binary) return 'mosquitto is not installed (apt-get install mosquitto)';
  return spawnSync(binary, ['-h']).status === null ? 'mosquitto does not run on this machine' : undefined;
}

export interface MosquittoProcess {
  port: number;
  url: string;
  dir: string;
  pid(): number | undefined;
  stop(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
  log(): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

/** Starts Mosquitto with `deploy/mosquitto.conf` plus a loopback listener and `extraConf`. */
export async function startMosquitto(
  o: { extraConf?: string[]; port?: number } = {},
): Promise<MosquittoProcess> {
  const why = mosquittoUnavailable();
  if (why) throw new Error(why);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onegrid-mosquitto-'));
  // Run as root, Mosquitto drops to the `mosquitto` user, which must write its persistence here.
  if (process.getuid?.() === 0) fs.chmodSync(dir, 0o777);
  const port = o.port ?? (await freePort());
  const confFile = path.join(dir, 'mosquitto.conf');
  const lines = [
    fs.readFileSync(deployMosquittoConf, 'utf8'),
    `listener ${port} 127.0.0.1`,
    `persistence_location ${dir}/`,
    ...(o.extraConf ?? []).map((l) => l.replaceAll('{dir}', dir)),
  ];
  fs.writeFileSync(confFile, `${lines.join('\n')}\n`);
  let child: ChildProcess | undefined;
  let output = '';

  async function start(): Promise<void> {
    const proc = spawn(binary as string, ['-c', confFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const collect = (d: Buffer) => {
      output = (output + String(d)).slice(-20_000);
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    for (let i = 0; i < 500; i++) {
      if (proc.exitCode !== null) throw new Error(`mosquitto exited (${proc.exitCode}) at start:\n${output}`);
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
    pid: () => child?.pid,
    stop,
    start,
    log: () => output,
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
