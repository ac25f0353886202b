/**
 * A Mosquitto process of OneGrid's own, started with `deploy/mosquitto.conf` on a free port and a
 * directory of its own (persistence): what `onegrid bench ingest` measures in server mode instead
 * of whatever broker the machine runs. The test harness (test/mosquitto-harness.ts) does the same
 * for the tests.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { WORKER_ROLE, workerAcls } from './broker.provision.ts';
import type { DynsecAcl } from './dynsec.ts';

export interface Credentials {
  username: string;
  password: string;
}

const pluginPaths = [
  '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/mosquitto_dynamic_security.so',
  '/usr/lib64/mosquitto_dynamic_security.so',
  '/usr/local/lib/mosquitto_dynamic_security.so',
];

/** Where this machine keeps Mosquitto's dynamic-security plugin. */
export function dynsecPlugin(): string {
  const found = pluginPaths.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`mosquitto_dynamic_security.so not found in ${pluginPaths.join(', ')}`);
  return found;
}

/** deploy/mosquitto.conf with this machine's plugin path and a plugin file of its own. */
export const deployConfWith = (conf: string, plugin: string, dynsecFile: string) =>
  conf
    .replace(/^plugin .*$/m, `plugin ${plugin}`)
    .replace(/^plugin_opt_config_file .*$/m, `plugin_opt_config_file ${dynsecFile}`);

/** A client entry as the plugin stores it: PBKDF2-SHA512, 101 iterations, 12-byte salt. */
function dynsecClient(c: Credentials, rolename: string | undefined, textname: string) {
  const salt = crypto.randomBytes(12);
  return {
    username: c.username,
    textname,
    password: crypto.pbkdf2Sync(c.password, salt, 101, 64, 'sha512').toString('base64'),
    salt: salt.toString('base64'),
    iterations: 101,
    roles: rolename ? [{ rolename }] : [],
  };
}

const allow = (acltype: DynsecAcl['acltype'], topic: string): DynsecAcl => ({ acltype, topic, allow: true });

/**
 * The plugin's file as `mosquitto_ctrl dynsec init` writes it (the administrator and its role),
 * plus `clients`, each with a role of its own.
 */
export function dynsecConfig(
  admin: Credentials,
  clients: Array<Credentials & { rolename: string; acls: DynsecAcl[] }>,
) {
  return {
    clients: [
      dynsecClient(admin, 'admin', 'Dynsec admin user'),
      ...clients.map((c) => dynsecClient(c, c.rolename, c.rolename)),
    ],
    roles: [
      {
        rolename: 'admin',
        acls: [
          allow('publishClientSend', '$CONTROL/dynamic-security/#'),
          allow('publishClientReceive', '$CONTROL/dynamic-security/#'),
          allow('subscribePattern', '$CONTROL/dynamic-security/#'),
          allow('publishClientReceive', '$SYS/#'),
          allow('subscribePattern', '$SYS/#'),
          allow('publishClientReceive', '#'),
          allow('subscribePattern', '#'),
          allow('unsubscribePattern', '#'),
        ],
      },
      ...clients.map((c) => ({ rolename: c.rolename, acls: c.acls })),
    ],
    defaultACLAccess: {
      publishClientSend: false,
      publishClientReceive: true,
      subscribe: false,
      unsubscribe: true,
    },
  };
}

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
  /** The dynamic-security administrator: OneGrid provisions devices with it. */
  admin: Credentials;
  /** The ingest workers' client (role `onegrid-ingest`, as OneGrid creates it). */
  worker: Credentials;
  /** A load generator's client: publishes to and shares a subscription on `onegrid-bench/#`. */
  bench: Credentials;
  dir: string;
  /** The generated configuration (deploy/mosquitto.conf plus listener and persistence). */
  confFile: string;
  pid(): number | undefined;
  stop(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
  log(): string;
  /**
   * Replaces the plugin's file with what `mosquitto_ctrl dynsec init` writes (the administrator
   * only): with `stop()`/`start()` around it, a broker that lost its state.
   */
  resetDynsec(): void;
  close(): Promise<void>;
}

export type DynsecClient = Credentials & { rolename: string; acls: DynsecAcl[] };

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

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

/**
 * Starts Mosquitto with `deploy/mosquitto.conf` plus a loopback listener and `extraConf` (which
 * may use `{dir}` for the broker's directory); `clients` join the plugin's file beside the
 * administrator, the ingest worker and the bench client.
 */
export async function startMosquitto(
  o: { extraConf?: string[]; port?: number; clients?: DynsecClient[] } = {},
): Promise<MosquittoProcess> {
  const why = mosquittoUnavailable();
  if (why) throw new Error(why);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onegrid-mosquitto-'));
  // Run as root, Mosquitto drops to the `mosquitto` user, which must write its persistence here.
  if (process.getuid?.() === 0) fs.chmodSync(dir, 0o777);
  const port = o.port ?? (await freePort());
  const confFile = path.join(dir, 'mosquitto.conf');
  // Anonymous access is off in deploy/mosquitto.conf: the plugin's file with the clients needed.
  const secret = () => crypto.randomBytes(12).toString('base64url');
  const admin = { username: 'onegrid-admin', password: secret() };
  const worker = { username: 'onegrid-ingest', password: secret() };
  const bench = { username: 'onegrid-bench', password: secret() };
  const dynsecFile = path.join(dir, 'dynamic-security.json');
  const writeDynsec = (config: object) => {
    fs.writeFileSync(dynsecFile, JSON.stringify(config));
    // The broker saves every change there, as the `mosquitto` user when started as root.
    if (process.getuid?.() === 0) fs.chmodSync(dynsecFile, 0o666);
  };
  writeDynsec(
    dynsecConfig(admin, [
      { ...worker, rolename: WORKER_ROLE, acls: workerAcls() },
      {
        ...bench,
        rolename: 'onegrid-bench',
        acls: [
          allow('publishClientSend', 'onegrid-bench/devices/+/telemetry'),
          allow('subscribePattern', '$share/+/onegrid-bench/devices/+/telemetry'),
          allow('subscribePattern', 'onegrid-bench/devices/+/telemetry'),
        ],
      },
      ...(o.clients ?? []),
    ]),
  );
  const lines = [
    deployConfWith(fs.readFileSync(deployMosquittoConf, 'utf8'), dynsecPlugin(), dynsecFile),
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
    admin,
    worker,
    bench,
    dir,
    confFile,
    pid: () => child?.pid,
    stop,
    start,
    log: () => output,
    resetDynsec: () => writeDynsec(dynsecConfig(admin, [])),
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
