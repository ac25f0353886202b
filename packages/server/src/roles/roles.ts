/**
 * Roles and the one module shape. A server feature is a module: it receives its repositories and
 * services, registers its routes (API role only) and declares its background work as jobs, each
 * tagged with the roles whose processes run it. The composition root (server.ts) picks what a
 * process starts from its roles; nothing starts a timer from a route file.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import type { App } from '../http/app.ts';

export const allRoles = ['api', 'ingest', 'scheduler'] as const;
export type Role = (typeof allRoles)[number];

export interface Job {
  /** For logs and health: `<module>.<what>`. */
  name: string;
  /** The roles whose processes run this job. */
  roles: readonly Role[];
  /**
   * Work that must happen once across the deployment (deadlines, 督办, rollups, retention,
   * vitals history): it runs only in the scheduler process holding the lease, and moves to
   * another scheduler when that one stops or dies. Such jobs may be started again after a close.
   */
  once?: boolean;
  start(): void | Promise<void>;
  close(): Promise<void>;
}

export interface Module {
  name: string;
  /** Mounts the module's routes; called only in processes with the `api` role. */
  routes?(app: App): void | Promise<void>;
  jobs?: Job[];
  /** Releases what the module holds in every role (caches, write-behind buffers), after its jobs. */
  close?(): Promise<void>;
}

/** A job from a start function returning its handle: `start` makes one, `close` ends it. */
export function job<T extends { close(): Promise<void> | void }>(
  name: string,
  roles: readonly Role[],
  start: () => T | Promise<T>,
  options: { once?: boolean; onStart?: (handle: T | undefined) => void } = {},
): Job {
  let handle: T | undefined;
  return {
    name,
    roles,
    ...(options.once ? { once: true } : {}),
    async start() {
      handle ??= await start();
      options.onStart?.(handle);
    },
    async close() {
      const h = handle;
      handle = undefined;
      options.onStart?.(undefined);
      await h?.close();
    },
  };
}

/**
 * Background work repeated every `everyMs` (first run after `firstAfterMs`), one run at a time;
 * `close()` stops the timers and waits for a run in progress. Failures go to `onError` and the
 * next run tries again. Timers never hold the process open.
 */
export function periodic(
  run: () => Promise<unknown>,
  o: { everyMs: number; firstAfterMs?: number; onError: (e: unknown) => void },
) {
  let running: Promise<unknown> | undefined;
  const tick = () => {
    running ??= run()
      .catch(o.onError)
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(tick, o.firstAfterMs ?? o.everyMs);
  const timer = setInterval(tick, o.everyMs);
  first.unref();
  timer.unref();
  return {
    async close() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * `--role api,ingest` → the set of roles; `all` (the default) is every role. Every problem is
 * reported at once, as configuration is.
 */
export function parseRoles(spec: string | undefined): Set<Role> {
  const parts = (spec ?? 'all')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (parts.length === 0) parts.push('all');
  const bad = parts.filter((p) => p !== 'all' && !(allRoles as readonly string[]).includes(p));
  if (bad.length > 0) {
    throw new Error(`unknown role ${bad.map((b) => `"${b}"`).join(', ')}: use api, ingest, scheduler or all`);
  }
  return new Set(parts.includes('all') ? allRoles : (parts as Role[]));
}

/**
 * This process among the deployment's: host, pid and a random part, so two processes on one
 * host (or a restarted one reusing a pid) never share an MQTT client id or a lease holder name.
 */
export function instanceId(): string {
  const host = os
    .hostname()
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .slice(0, 40);
  return `${host}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
}
