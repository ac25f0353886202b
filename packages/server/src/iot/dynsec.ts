/**
 * A client for Mosquitto's dynamic-security plugin (Mosquitto 2): its commands are JSON messages
 * published to `$CONTROL/dynamic-security/v1`, its answers arrive on `…/v1/response`, matched here
 * by `correlationData`. One connection as the plugin's administrator, kept open and reconnected
 * by mqtt.js; `onConnect` fires after every (re)connect so the caller can reconcile a broker that
 * may have come back with lost state.
 */
import crypto from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';

const CONTROL = '$CONTROL/dynamic-security/v1';
const RESPONSE = `${CONTROL}/response`;

export interface DynsecCommand {
  command: string;
  [field: string]: unknown;
}

export interface DynsecResponse {
  command: string;
  error?: string;
  data?: unknown;
}

export interface DynsecAcl {
  acltype:
    | 'publishClientSend'
    | 'publishClientReceive'
    | 'subscribeLiteral'
    | 'subscribePattern'
    | 'unsubscribeLiteral'
    | 'unsubscribePattern';
  topic: string;
  allow: boolean;
  priority?: number;
}

export interface DynsecClientInfo {
  username: string;
  clientid?: string;
  textname?: string;
  textdescription?: string;
  disabled?: boolean;
  roles: Array<{ rolename: string; priority?: number }>;
}

export interface DynsecRoleInfo {
  rolename: string;
  acls: DynsecAcl[];
}

export interface Dynsec {
  readonly connected: boolean;
  /** Why the last connection attempt failed (bad credentials, broker away), if it did. */
  readonly lastError: string | undefined;
  /** Sends the commands in one control message; answers in order. Rejects when the broker is away. */
  send(commands: DynsecCommand[]): Promise<DynsecResponse[]>;
  listClients(): Promise<DynsecClientInfo[]>;
  listRoles(): Promise<DynsecRoleInfo[]>;
  close(): Promise<void>;
}

export class DynsecUnavailableError extends Error {}

/** The URL without its password, for messages. */
export const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

export interface DynsecOptions {
  url: string;
  username: string;
  password: string;
  clientId: string;
  /** How long one control message may wait for its answers. */
  timeoutMs?: number;
  onConnect?(): void;
  onError?(message: string): void;
}

/**
 * Starts the administrator's connection and returns at once: the broker may be away at start,
 * and the API must not wait for it. Commands fail fast while it is not connected.
 */
export function connectDynsec(o: DynsecOptions): Dynsec {
  const timeoutMs = o.timeoutMs ?? 5000;
  const pending = new Map<
    string,
    { answers: Map<number, DynsecResponse>; count: number; done(r: DynsecResponse[]): void }
  >();
  const client: MqttClient = mqtt.connect(o.url, {
    protocolVersion: 5,
    clientId: o.clientId,
    username: o.username,
    password: o.password,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: timeoutMs,
    // Commands are only sent while connected: a queue would replay stale provisioning later.
    queueQoSZero: false,
  });
  client.on('message', (topic, payload) => {
    if (topic !== RESPONSE) return;
    let body: { responses?: Array<DynsecResponse & { correlationData?: string }> };
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    for (const r of body.responses ?? []) {
      const [id, index] = (r.correlationData ?? '').split(':');
      const p = id ? pending.get(id) : undefined;
      if (!p) continue;
      p.answers.set(Number(index), {
        command: r.command,
        ...(r.error ? { error: r.error } : {}),
        data: r.data,
      });
      if (p.answers.size === p.count) {
        pending.delete(id as string);
        p.done([...Array(p.count).keys()].map((i) => p.answers.get(i) as DynsecResponse));
      }
    }
  });
  let lastError: string | undefined;
  client.on('error', (e) => {
    lastError = e.message;
    o.onError?.(e.message);
  });
  // Every (re)connect: subscribe to the answers, then let the caller reconcile.
  client.on('connect', () => {
    client.subscribeAsync(RESPONSE, { qos: 1 }).then(
      (granted) => {
        if (granted.some((g) => g.qos >= 0x80)) {
          lastError = `${o.username} may not read ${RESPONSE}: is it the dynamic-security administrator?`;
          o.onError?.(lastError);
          return;
        }
        lastError = undefined;
        subscribed = true;
        o.onConnect?.();
      },
      (e: Error) => {
        lastError = e.message;
        o.onError?.(e.message);
      },
    );
  });
  let subscribed = false;
  client.on('close', () => {
    subscribed = false;
  });

  async function send(commands: DynsecCommand[]): Promise<DynsecResponse[]> {
    if (commands.length === 0) return [];
    if (!client.connected || !subscribed) {
      throw new DynsecUnavailableError(
        `the MQTT broker's dynamic-security plugin at ${redact(o.url)} is not reachable${lastError ? `: ${lastError}` : ''}`,
      );
    }
    const id = crypto.randomBytes(8).toString('hex');
    return await new Promise<DynsecResponse[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(
          new DynsecUnavailableError(
            `the broker did not answer dynamic-security commands within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      pending.set(id, {
        answers: new Map(),
        count: commands.length,
        done: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
      const body = { commands: commands.map((c, i) => ({ ...c, correlationData: `${id}:${i}` })) };
      client.publish(CONTROL, JSON.stringify(body), { qos: 1 }, (e) => {
        if (!e) return;
        clearTimeout(timer);
        pending.delete(id);
        reject(new DynsecUnavailableError(`sending dynamic-security commands failed: ${e.message}`));
      });
    });
  }

  async function one<T>(command: DynsecCommand): Promise<T> {
    const [r] = await send([command]);
    if (!r || r.error) throw new Error(`dynamic-security ${command.command}: ${r?.error ?? 'no answer'}`);
    return r.data as T;
  }

  return {
    get connected() {
      return client.connected && subscribed;
    },
    get lastError() {
      return lastError;
    },
    send,
    async listClients() {
      const d = await one<{ clients: DynsecClientInfo[] }>({
        command: 'listClients',
        verbose: true,
        count: -1,
      });
      return d.clients.map((c) => ({ ...c, roles: c.roles ?? [] }));
    },
    async listRoles() {
      const d = await one<{ roles: DynsecRoleInfo[] }>({ command: 'listRoles', verbose: true, count: -1 });
      return d.roles.map((r) => ({ ...r, acls: r.acls ?? [] }));
    },
    async close() {
      for (const p of pending.values()) p.done([]);
      pending.clear();
      await client.endAsync(true);
    },
  };
}
