/**
 * The processes of `onegrid bench ingest`: publisher processes (ingest.publisher.ts) that write
 * ready-made packets, and in server mode extra ingest processes (ingest.worker.proc.ts) that share
 * the stream with the bench's own.
 */
import { type ChildProcess, fork } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FromPublisher, PublisherDevice, ToPublisher } from './ingest.publisher.ts';
import type { FromWorker } from './ingest.worker.proc.ts';

export interface PublishOptions {
  procs: number;
  perDevice?: number;
  seconds?: number;
  window: number;
  baseTs: number;
  /** External broker: messages the consumers have taken (acknowledged), for pacing. */
  consumed?: () => number;
  backlog: number;
}

export interface PublishResult {
  sent: number;
  /** performance.now() when the publishers were let go, and the time until the last PUBACK. */
  startedAt: number;
  ms: number;
  cpuMs: number;
}

/**
 * Forks the publisher processes, deals them the devices, connects them all, then lets them go
 * at once. Resolves when every message was acknowledged by the broker.
 */
export async function publishFrom(
  url: string,
  devices: PublisherDevice[],
  o: PublishOptions,
): Promise<PublishResult> {
  const n = Math.min(o.procs, devices.length);
  const script = fileURLToPath(new URL('./ingest.publisher.ts', import.meta.url));
  const tsx = import.meta.resolve('tsx');
  const children: ChildProcess[] = [];
  const done: Array<Extract<FromPublisher, { type: 'done' }>> = [];
  const creditOf = () => (o.consumed ? Math.floor((o.consumed() + o.backlog) / n) : undefined);
  try {
    const ready: Promise<void>[] = [];
    const finished: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const child = fork(script, [], {
        execArgv: ['--import', tsx],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      let onReady: () => void = () => {};
      ready.push(new Promise<void>((r) => (onReady = r)));
      finished.push(
        new Promise<void>((resolve, reject) => {
          child.on('message', (m: FromPublisher) => {
            if (m.type === 'ready') onReady();
            else if (m.type === 'done') {
              done.push(m);
              resolve();
            } else {
              reject(new Error(`publisher: ${m.message}`));
            }
          });
          // A credit sent just as a publisher exits fails with EPIPE: nothing to do.
          child.on('error', () => {});
          child.on('exit', (code) => {
            if (code !== 0 && code !== null) reject(new Error(`publisher exited with ${code}`));
          });
        }),
      );
      const mine = devices.filter((_, j) => j % n === i);
      const credit = creditOf();
      child.send({
        type: 'start',
        url,
        devices: mine,
        window: o.window,
        baseTs: o.baseTs,
        ...(o.perDevice ? { perDevice: o.perDevice } : {}),
        ...(o.seconds ? { seconds: o.seconds } : {}),
        ...(credit !== undefined ? { credit } : {}),
      } satisfies ToPublisher);
    }
    await Promise.race([Promise.all(ready), Promise.all(finished)]);
    const started = performance.now();
    for (const c of children) c.send({ type: 'go' } satisfies ToPublisher);
    let last = creditOf();
    const pacer = o.consumed
      ? setInterval(() => {
          const credit = creditOf();
          if (credit === last) return;
          last = credit;
          for (const c of children) {
            if (c.connected) c.send({ type: 'credit', upTo: credit! } satisfies ToPublisher, () => {});
          }
        }, 2)
      : undefined;
    try {
      await Promise.all(finished);
    } finally {
      if (pacer) clearInterval(pacer);
    }
    return {
      sent: done.reduce((s, d) => s + d.sent, 0),
      startedAt: started,
      ms: performance.now() - started,
      cpuMs: done.reduce((s, d) => s + d.cpuMs, 0),
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill();
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Extra ingest processes (server mode): forked, in the bench's share group, reporting what they stored. */
export async function extraWorkers(
  n: number,
  env: Record<string, string>,
): Promise<{ accepted(): number; cpuMs(): number; close(): Promise<void> }> {
  const script = fileURLToPath(new URL('./ingest.worker.proc.ts', import.meta.url));
  const tsx = import.meta.resolve('tsx');
  const state = Array.from({ length: n }, () => ({ n: 0, cpuMs: 0 }));
  const children: ChildProcess[] = [];
  await Promise.all(
    state.map(
      (st, i) =>
        new Promise<void>((resolve, reject) => {
          const child = fork(script, [], {
            execArgv: ['--import', tsx],
            env: { ...process.env, ...env, CLIENT_ID: `${env.CLIENT_ID}-x${i}` },
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          });
          children.push(child);
          child.on('message', (m: FromWorker) => {
            if (m.type === 'ready') resolve();
            else {
              st.n = m.n;
              st.cpuMs = m.cpuMs;
            }
          });
          child.once('exit', (code) =>
            reject(new Error(`ingest process exited (${code}) before it was ready`)),
          );
        }),
    ),
  );
  return {
    accepted: () => state.reduce((a, x) => a + x.n, 0),
    cpuMs: () => state.reduce((a, x) => a + x.cpuMs, 0),
    async close() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.disconnect();
              setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
            }),
        ),
      );
    },
  };
}
