/**
 * The one call every change that must leave a trace makes:
 *
 *     await audit.record(tx, { action: 'config.loop-settings', object: 'loop-settings', details: { before, after } });
 *
 * with the transaction that makes the change, so the entry commits or rolls back with it. The
 * actor and client address come from the HTTP request being served (request context), or say
 * `system` outside one; a caller may give them explicitly (a failed login names the account
 * tried). Like the logger this is process-wide, not a dependency passed to each service: almost
 * every service writes to it, and the request is what identifies the actor (docs/decisions.md).
 */
import { fastifyRequestContext, requestContext } from '@fastify/request-context';
import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../db/db.ts';
import type { App } from '../http/app.ts';
import { auditContentText, normaliseDetails } from './audit.hash.ts';
import { type AuditRow, auditRepository } from './audit.repository.ts';

declare module '@fastify/request-context' {
  interface RequestContextData {
    auditRequest: FastifyRequest;
  }
}

export interface AuditInput {
  action: string;
  /** What was acted on, `kind:id` (`case:42`, `user:operator`, `loop-settings`). */
  object?: string | null;
  /** Before/after for changes, counts and filters for exports, reason for failures. */
  details?: Record<string, unknown>;
  actor?: string;
  ip?: string | null;
}

const state = {
  /** `ONEGRID_AUDIT=off` turns the writes off; only the benchmark's baseline run does that. */
  enabled: process.env.ONEGRID_AUDIT !== 'off',
};

/** Who is acting in the current request, as the audit log names them. */
export function currentActor(): { actor: string; ip: string | null } {
  const request = requestContext.get('auditRequest');
  if (!request) return { actor: 'system', ip: null };
  const p = request.principal;
  const machine = request.serviceAccount;
  return {
    actor: p ? p.username : machine ? `service:${machine.clientId}` : 'anonymous',
    ip: request.ip ?? null,
  };
}

/** An entry ready to append: its row and the hashed content text. */
export interface PreparedAudit {
  text: string;
  row: AuditRow;
}

export const audit = {
  async record(q: Queryable, input: AuditInput): Promise<number | undefined> {
    const entry = audit.prepare(input);
    if (!entry) return undefined;
    return auditRepository(q).append(entry.text, entry.row);
  },
  /**
   * The entry `record` would append, for a caller that appends it inside one of its own
   * statements (the case step, case.repository.ts: one round trip for the change, its timeline
   * entry, its outbox event and this entry). Undefined when the trail is off.
   */
  prepare(input: AuditInput): PreparedAudit | undefined {
    if (!state.enabled) return undefined;
    const who = currentActor();
    const row = {
      at: new Date(),
      actor: (input.actor ?? who.actor).slice(0, 128),
      action: input.action,
      object: input.object ?? null,
      ip: input.ip !== undefined ? input.ip : who.ip,
      details: normaliseDetails(input.details),
    };
    return { text: auditContentText({ ...row, at: row.at.toISOString() }), row };
  },
  /** Whether entries are written (false only in a benchmark's baseline run). */
  get enabled() {
    return state.enabled;
  },
  set enabled(on: boolean) {
    state.enabled = on;
  },
};

/**
 * Service accounts (other platforms, the 12345 system, cameras, data consumers): each
 * authenticated machine call records which account read or wrote what (`account` = client id).
 */
export function recordServiceAccess(
  q: Queryable,
  access: { account: string; route: string; object?: string | null; details?: Record<string, unknown> },
): Promise<number | undefined> {
  return audit.record(q, {
    action: 'service.access',
    actor: `service:${access.account}`,
    object: access.object ?? null,
    details: { route: access.route, ...access.details },
  });
}

/** Makes the request being served visible to `audit.record` (one per app, before the routes). */
export async function registerAuditContext(app: App): Promise<void> {
  await app.register(fastifyRequestContext, {
    defaultStoreValues: (request: FastifyRequest) => ({ auditRequest: request }),
  });
}

/** Before/after of a change, keeping only the fields that differ (and `id`-like keys given). */
export function changes(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
): { before: Record<string, unknown> | null; after: Record<string, unknown> | null } {
  if (!before || !after) return { before: before ?? null, after: after ?? null };
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) {
      b[k] = before[k];
      a[k] = after[k];
    }
  }
  return { before: b, after: a };
}
