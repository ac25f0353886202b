/**
 * A Mosquitto of the test's own, started with `deploy/mosquitto.conf` on a free port with its
 * own persistence directory: tests never use the machine's broker. Skip with a clear message
 * where `mosquitto` is not installed (`mosquittoMissing`).
 *
 * Anonymous access is off and the dynamic-security plugin is on, as in production: the broker's
 * own `dynamic-security.json` (in its directory) holds an administrator, the ingest workers'
 * client, and a test publisher that may publish to every device's telemetry topic (tests that
 * are not about authentication use it instead of one client per device).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DynsecAcl } from '../src/iot/dynsec.ts';
import {
  type Credentials,
  deployConfWith,
  dynsecConfig,
  dynsecPlugin,
} from '../src/iot/mosquitto.process.ts';

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

const allow = (acltype: DynsecAcl['acltype'], topic: string): DynsecAcl => ({ acltype, topic, allow: true });

export interface TestBroker {
  port: number;
  /** mqtt://127.0.0.1:<port>, without credentials. */
  url: string;
  /** The dynamic-security administrator (ONEGRID_MQTT_ADMIN_USERNAME/PASSWORD). */
  admin: Credentials;
  /** The ingest workers' client (ONEGRID_MQTT_USERNAME/PASSWORD), role `onegrid-ingest`. */
  worker: Credentials;
  /** `url` with the worker's credentials in it, for `startIngestWorker({ url })`. */
  workerUrl: string;
  /** May publish to `onegrid/devices/+/telemetry` (any device): a load generator, not a device. */
  publisher: Credentials;
  /** Persistence directory, kept across restarts. */
  dir: string;
  /** The generated configuration (deploy/mosquitto.conf plus listener and persistence). */
  confFile: string;
  /** Stops the broker (SIGTERM: it saves its persistence) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and directory; resolves once it accepts connections. */
  start(): Promise<void>;
  /**
   * Replaces the plugin's file with what `mosquitto_ctrl dynsec init` writes (the administrator
   * only): with `stop()`/`start()` around it, a broker that lost its state.
   */
  resetDynsec(): void;
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
  const secret = () => crypto.randomBytes(12).toString('base64url');
  const admin = { username: 'onegrid-admin', password: secret() };
  const worker = { username: 'onegrid-ingest', password: secret() };
  const publisher = { username: 'onegrid-test-publisher', password: secret() };
  const dynsecFile = path.join(dir, 'dynamic-security.json');
  const writeDynsec = (config: object) => {
    fs.writeFileSync(dynsecFile, JSON.stringify(config, null, 1));
    // The plugin saves every change here, as the `mosquitto` user when started as root.
    if (process.getuid?.() === 0) fs.chmodSync(dynsecFile, 0o666);
  };
  writeDynsec(
    dynsecConfig(admin, [
      {
        ...worker,
        rolename: 'onegrid-ingest',
        acls: [allow('subscribePattern', '$share/+/onegrid/devices/+/telemetry')],
      },
      {
        ...publisher,
        rolename: 'onegrid-test-publisher',
        acls: [allow('publishClientSend', 'onegrid/devices/+/telemetry')],
      },
    ]),
  );
  const deploy = deployConfWith(fs.readFileSync(deployConf, 'utf8'), dynsecPlugin(), dynsecFile);
  const lines = [
    deploy,
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
  const url = `mqtt://127.0.0.1:${port}`;
  return {
    port,
    url,
    admin,
    worker,
    workerUrl: `mqtt://${worker.username}:${worker.password}@127.0.0.1:${port}`,
    publisher,
    dir,
    confFile,
    stop,
    start,
    resetDynsec: () => writeDynsec(dynsecConfig(admin, [])),
    log: () => output,
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
