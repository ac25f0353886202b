/**
 * Device authentication in server mode, done by the broker itself: every device is a client of
 * Mosquitto's dynamic-security plugin (username = client id = device id, password = its token)
 * with a role of its own that may publish to its own telemetry topic and nothing else; the
 * ingest workers share one client whose role may only take the shared subscription on the
 * telemetry topics. Anonymous clients, wrong tokens and foreign topics never reach OneGrid.
 *
 * OneGrid drives it: a device created or its token rotated → its client is (re)created with the
 * token (the broker hashes it; OneGrid keeps only a SHA-256 of it, so this is the one moment the
 * token is known); disabled/enabled → the client is disabled/enabled (the broker drops its
 * connection); deleted → client and role go. `reconcile` compares the database with the broker
 * and repairs what it can; a device whose client is missing cannot be repaired without its token
 * and is reported as needing a token rotation (docs/decisions.md, 2026-12-07).
 */
import crypto from 'node:crypto';
import os from 'node:os';
import mqtt from 'mqtt';
import type { Logger } from '../logger.ts';
import { telemetryTopic } from './broker.ts';
import type { DeviceRepository } from './device.repository.ts';
import {
  connectDynsec,
  type Dynsec,
  type DynsecAcl,
  type DynsecCommand,
  type DynsecResponse,
} from './dynsec.ts';

/** What the device service calls when credentials change; absent in embedded mode. */
export interface DeviceBroker {
  /** A device was created or its token rotated: its broker client gets exactly this token. */
  issue(id: string, token: string, disabled: boolean): Promise<void>;
  setDisabled(id: string, disabled: boolean): Promise<void>;
  remove(id: string): Promise<void>;
}

export interface ReconcileReport {
  devices: number;
  /** Clients whose role, client id or enabled state was put right. */
  repaired: number;
  /** Broker clients of devices no longer in the database, removed. */
  removed: number;
  /** Devices without broker credentials: only a token rotation can provision them. */
  needsRotation: string[];
  worker: 'ok' | 'created' | 'password_set' | 'not_configured';
}

export interface ProvisioningState {
  connected: boolean;
  lastError?: string;
  lastReconcileAt?: string;
  lastReconcile?: Omit<ReconcileReport, 'needsRotation'> & { needsRotation: number };
  /** Up to 100 ids of devices that need a token rotation before they can connect. */
  needsRotation: string[];
}

export interface BrokerProvisioner extends DeviceBroker {
  /** Resolves once the admin connection is up, or after `timeoutMs` (false then). */
  connected(timeoutMs: number): Promise<boolean>;
  reconcile(): Promise<ReconcileReport>;
  /** Reconciles now, after every reconnect of the admin connection and every `everyMs`. */
  startReconciling(everyMs?: number): void;
  state(): ProvisioningState;
  close(): Promise<void>;
}

export const deviceRole = (id: string) => `onegrid-device-${id}`;
export const WORKER_ROLE = 'onegrid-ingest';
const DEVICE_MARK = 'onegrid-device';
const deviceRolePrefix = deviceRole('');
/** Ids that are safe as a topic level and a role name (the API allows exactly these). */
const safeId = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const deviceAcls = (id: string, topic = telemetryTopic): DynsecAcl[] => [
  { acltype: 'publishClientSend', topic: topic(id), allow: true },
];
/** Any share group: deployments choose theirs (ONEGRID_MQTT_SHARE_GROUP). */
export const workerAcls = (filter = 'onegrid/devices/+/telemetry'): DynsecAcl[] => [
  { acltype: 'subscribePattern', topic: `$share/+/${filter}`, allow: true },
];

const sameAcls = (a: DynsecAcl[], b: DynsecAcl[]) => {
  const key = (x: DynsecAcl) => `${x.acltype}|${x.topic}|${x.allow}`;
  return a.map(key).sort().join('\n') === b.map(key).sort().join('\n');
};

/** Throws unless every answer is a success or one of the errors `ok` lists ("Client not found"…). */
function check(rs: DynsecResponse[], ok: Array<string | undefined>[] = []) {
  rs.forEach((r, i) => {
    if (r.error && !(ok[i] ?? []).includes(r.error)) {
      throw new Error(`dynamic-security ${r.command} failed: ${r.error}`);
    }
  });
}

export function createBrokerProvisioner(o: {
  /** The broker, e.g. mqtt://127.0.0.1:1883 (credentials in the URL are ignored). */
  url: string;
  /** A client of the dynamic-security plugin with its admin role. */
  admin: { username: string; password: string };
  repo: Pick<DeviceRepository, 'authRows'>;
  log: Logger;
  /** The ingest workers' credentials; undefined when the operator manages that client. */
  worker?: { username: string; password: string };
  topic?: (id: string) => string;
  workerFilter?: string;
}): BrokerProvisioner {
  const log = o.log.child({ category: 'ingest' });
  let reconciling = false;
  const waiting: Array<(ok: boolean) => void> = [];
  let lastLogged: string | undefined;
  const dynsec: Dynsec = connectDynsec({
    url: o.url,
    username: o.admin.username,
    password: o.admin.password,
    clientId: `onegrid-admin-${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`.slice(
      0,
      64,
    ),
    // A broker that restarted may have lost its state: repair it at once.
    onConnect: () => {
      lastLogged = undefined;
      for (const w of waiting.splice(0)) w(true);
      log.info(`connected to the MQTT broker's dynamic-security plugin as ${o.admin.username}`);
      if (reconciling) reconcileQuietly();
    },
    onError: (message) => {
      // Reconnects come every second: say each distinct problem once.
      if (message === lastLogged) return;
      lastLogged = message;
      log.error(
        { err: message },
        `provisioning device credentials on the MQTT broker is failing (ONEGRID_MQTT_ADMIN_USERNAME/PASSWORD, MQTT_URL): ${message}`,
      );
    },
  });
  const topic = o.topic ?? telemetryTopic;
  const missing = new Set<string>();
  let last: { at: string; report: ReconcileReport } | undefined;
  let running: Promise<ReconcileReport> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const upsertDevice = (id: string, token: string, disabled: boolean): DynsecCommand[] => [
    { command: 'deleteClient', username: id },
    { command: 'deleteRole', rolename: deviceRole(id) },
    { command: 'createRole', rolename: deviceRole(id), acls: deviceAcls(id, topic) },
    {
      command: 'createClient',
      username: id,
      password: token,
      clientid: id,
      textname: DEVICE_MARK,
      roles: [{ rolename: deviceRole(id), priority: 0 }],
    },
    ...(disabled ? [{ command: 'disableClient', username: id }] : []),
  ];
  const notFound = ['Client not found', 'Role not found'];

  async function issue(id: string, token: string, disabled: boolean) {
    if (!safeId.test(id)) throw new Error(`device id ${id} cannot be a broker client`);
    // One control message: the broker applies it in one go, and a connection holding the old
    // token is dropped by the delete.
    check(await dynsec.send(upsertDevice(id, token, disabled)), [notFound, notFound]);
    missing.delete(id);
  }

  async function setDisabled(id: string, disabled: boolean) {
    const [r] = await dynsec.send([{ command: disabled ? 'disableClient' : 'enableClient', username: id }]);
    if (r?.error === 'Client not found') {
      // Disabled without a client is refused anyway; enabled without one cannot connect.
      if (!disabled) {
        missing.add(id);
        log.warn(
          { deviceId: id },
          `device ${id} has no broker credentials: rotate its token to provision it`,
        );
      }
      return;
    }
    if (!r || r.error) throw new Error(`dynamic-security ${disabled ? 'disable' : 'enable'}: ${r?.error}`);
  }

  async function remove(id: string) {
    check(
      await dynsec.send([
        { command: 'deleteClient', username: id },
        { command: 'deleteRole', rolename: deviceRole(id) },
      ]),
      [notFound, notFound],
    );
    missing.delete(id);
  }

  /** Connects with the worker's credentials: the only way to learn whether the broker has them. */
  async function workerPasswordWorks(w: { username: string; password: string }): Promise<boolean> {
    try {
      const c = await mqtt.connectAsync(o.url, {
        protocolVersion: 5,
        clientId: `onegrid-probe-${crypto.randomBytes(6).toString('hex')}`,
        username: w.username,
        password: w.password,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 5000,
      });
      await c.endAsync(true);
      return true;
    } catch (e) {
      const code = (e as { code?: number }).code;
      if (code === 134 || code === 135) return false;
      throw e;
    }
  }

  async function ensureWorker(
    clients: Map<string, { disabled?: boolean; roles: Array<{ rolename: string }> }>,
    roles: Map<string, DynsecAcl[]>,
  ): Promise<ReconcileReport['worker']> {
    const w = o.worker;
    if (!w) return 'not_configured';
    const acls = workerAcls(o.workerFilter);
    const client = clients.get(w.username);
    const roleOk = sameAcls(roles.get(WORKER_ROLE) ?? [], acls);
    const fixRole: DynsecCommand[] = roleOk
      ? []
      : [
          { command: 'deleteRole', rolename: WORKER_ROLE },
          { command: 'createRole', rolename: WORKER_ROLE, acls },
        ];
    if (!client) {
      check(
        await dynsec.send([
          ...fixRole,
          {
            command: 'createClient',
            username: w.username,
            password: w.password,
            textname: 'onegrid-ingest',
            roles: [{ rolename: WORKER_ROLE, priority: 0 }],
          },
        ]),
        [notFound],
      );
      return 'created';
    }
    const assign =
      !roleOk || !client.roles.some((r) => r.rolename === WORKER_ROLE)
        ? [{ command: 'addClientRole', username: w.username, rolename: WORKER_ROLE }]
        : [];
    const enable = client.disabled ? [{ command: 'enableClient', username: w.username }] : [];
    check(await dynsec.send([...fixRole, ...assign, ...enable]), [notFound]);
    if (await workerPasswordWorks(w)) return 'ok';
    // The configured password is the truth: set it (the broker drops connections using the old one).
    check(await dynsec.send([{ command: 'setClientPassword', username: w.username, password: w.password }]));
    return 'password_set';
  }

  async function reconcileOnce(): Promise<ReconcileReport> {
    // The broker first, then the database: a device created meanwhile is in the database before
    // its client exists, so no client is deleted for a device that is being created.
    const clientList = await dynsec.listClients();
    const roleList = await dynsec.listRoles();
    const clients = new Map(clientList.map((c) => [c.username, c]));
    const roles = new Map(roleList.map((r) => [r.rolename, r.acls]));
    const { rows } = await o.repo.authRows();
    const devices = new Map(rows.map((d) => [d.id, d]));
    const report: ReconcileReport = {
      devices: rows.length,
      repaired: 0,
      removed: 0,
      needsRotation: [],
      worker: 'ok',
    };
    report.worker = await ensureWorker(clients, roles);

    const fixes: DynsecCommand[] = [];
    for (const d of rows) {
      const c = clients.get(d.id);
      if (!c) {
        report.needsRotation.push(d.id);
        continue;
      }
      const role = deviceRole(d.id);
      const before = fixes.length;
      if (!sameAcls(roles.get(role) ?? [], deviceAcls(d.id, topic))) {
        fixes.push(
          { command: 'deleteRole', rolename: role },
          { command: 'createRole', rolename: role, acls: deviceAcls(d.id, topic) },
          { command: 'addClientRole', username: d.id, rolename: role },
        );
      } else if (!c.roles.some((r) => r.rolename === role)) {
        fixes.push({ command: 'addClientRole', username: d.id, rolename: role });
      }
      // Other roles would widen what the device may do.
      for (const r of c.roles) {
        if (r.rolename !== role)
          fixes.push({ command: 'removeClientRole', username: d.id, rolename: r.rolename });
      }
      if (c.clientid !== d.id) fixes.push({ command: 'setClientId', username: d.id, clientid: d.id });
      const disabled = d.status === 'disabled';
      if (Boolean(c.disabled) !== disabled)
        fixes.push({ command: disabled ? 'disableClient' : 'enableClient', username: d.id });
      if (fixes.length > before) report.repaired++;
    }
    for (const c of clientList) {
      const ours = c.textname === DEVICE_MARK || c.roles.some((r) => r.rolename.startsWith(deviceRolePrefix));
      if (ours && !devices.has(c.username)) {
        fixes.push({ command: 'deleteClient', username: c.username });
        report.removed++;
      }
    }
    for (const r of roleList) {
      const id = r.rolename.startsWith(deviceRolePrefix)
        ? r.rolename.slice(deviceRolePrefix.length)
        : undefined;
      if (id !== undefined && !devices.has(id)) fixes.push({ command: 'deleteRole', rolename: r.rolename });
    }
    for (let i = 0; i < fixes.length; i += 200) {
      const chunk = fixes.slice(i, i + 200);
      check(
        await dynsec.send(chunk),
        chunk.map(() => notFound),
      );
    }
    // A device created while we looked has its client by now: ask again before reporting it.
    if (report.needsRotation.length > 0) {
      const now = new Set((await dynsec.listClients()).map((c) => c.username));
      report.needsRotation = report.needsRotation.filter((id) => !now.has(id));
    }
    missing.clear();
    for (const id of report.needsRotation) missing.add(id);
    last = { at: new Date().toISOString(), report };
    const summary = { ...report, needsRotation: report.needsRotation.length };
    if (report.needsRotation.length > 0) {
      log.warn(
        { ...summary, deviceIds: report.needsRotation.slice(0, 20) },
        `${report.needsRotation.length} device(s) have no credentials on the MQTT broker and cannot connect ` +
          'until their token is rotated (PATCH /api/v1/devices/{id} {"rotateToken": true}); ' +
          'OneGrid keeps only token hashes, so it cannot restore them',
      );
    } else log.info(summary, 'MQTT broker credentials reconciled with the device registry');
    return report;
  }

  function reconcile(): Promise<ReconcileReport> {
    running ??= reconcileOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  const reconcileQuietly = () => {
    if (closed) return;
    reconcile().catch((e) =>
      log.warn({ err: e }, 'reconciling MQTT broker credentials failed; retrying later'),
    );
  };

  return {
    issue,
    setDisabled,
    remove,
    reconcile,
    connected: (timeoutMs) =>
      dynsec.connected
        ? Promise.resolve(true)
        : new Promise<boolean>((resolve) => {
            const t = setTimeout(() => {
              const i = waiting.indexOf(done);
              if (i >= 0) waiting.splice(i, 1);
              resolve(false);
            }, timeoutMs);
            const done = (ok: boolean) => {
              clearTimeout(t);
              resolve(ok);
            };
            waiting.push(done);
          }),
    startReconciling(everyMs = 300_000) {
      if (timer) return;
      reconciling = true;
      timer = setInterval(reconcileQuietly, everyMs);
      timer.unref();
    },
    state: () => ({
      connected: dynsec.connected,
      ...(dynsec.lastError ? { lastError: dynsec.lastError } : {}),
      ...(last
        ? {
            lastReconcileAt: last.at,
            lastReconcile: { ...last.report, needsRotation: last.report.needsRotation.length },
          }
        : {}),
      needsRotation: [...missing].slice(0, 100),
    }),
    async close() {
      closed = true;
      for (const w of waiting.splice(0)) w(false);
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
      await dynsec.close();
    },
  };
}
