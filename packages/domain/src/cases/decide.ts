/**
 * `decide` — the one function that checks an action against the machine table and, when it is
 * allowed, computes the next snapshot, its effects and the timeline entry. Pure: the caller
 * passes the time and the configuration, and persists the result (with its version check).
 *
 * Order of checks (each failure maps to an HTTP status in the server):
 * unknown action → `invalid` (400); role not in the table → `role` (403); actor outside the
 * case's area or department → `scope` (403); status or pending request not allowed, or a guard
 * on the case → `state` (409, with the actions allowed now); body fields → `invalid` (400).
 */
import { inScope } from '../areas.ts';
import { roles } from '../roles.ts';
import {
  type ActionSpec,
  actionTable,
  type CaseAction,
  caseActionNames,
  type GuardFailure,
  isCaseAction,
  type PendingSlot,
  type ScopeRule,
} from './case-machine.ts';
import { type CaseRulesConfig, defaultCaseConfig } from './config.ts';
import { parsePayload } from './payload.ts';
import { transitions } from './transitions.ts';
import type {
  ActorRole,
  CaseActor,
  CaseEffect,
  CaseSnapshot,
  TimelineEntry,
  TimelineValue,
} from './types.ts';

export type Decision =
  | {
      readonly ok: true;
      readonly next: CaseSnapshot;
      readonly effects: readonly CaseEffect[];
      readonly timelineEntry: TimelineEntry;
    }
  | DecisionFailure;

export type DecisionFailure =
  | { readonly ok: false; readonly reason: 'state'; readonly message: string; readonly allowed: CaseAction[] }
  | { readonly ok: false; readonly reason: 'role' | 'scope'; readonly message: string }
  | { readonly ok: false; readonly reason: 'invalid'; readonly message: string; readonly field: string };

function scopeFailure(rule: ScopeRule, c: CaseSnapshot, actor: CaseActor): GuardFailure | null {
  switch (rule) {
    case 'any':
      return null;
    case 'department':
      return actor.departmentCode && actor.departmentCode === c.departmentCode
        ? null
        : { reason: 'scope', message: 'the case is not dispatched to your department' };
    case 'assigned-inspector':
      if (c.inspectorId !== null && c.inspectorId !== actor.id) {
        return { reason: 'scope', message: 'another inspector was sent to verify this case' };
      }
      return scopeFailure('area', c, actor);
    case 'area':
      return inScope(actor.scope, c.areaCode)
        ? null
        : { reason: 'scope', message: `the case is outside your area (${actor.scope})` };
  }
}

export function pendingSlot(c: CaseSnapshot): PendingSlot {
  return c.pendingRequest?.kind ?? 'none';
}

/** Why `actor` may not take `action` on `c` now (null when they may), without the body. */
export function availability(
  c: CaseSnapshot,
  action: CaseAction,
  actor: CaseActor,
  config: CaseRulesConfig = defaultCaseConfig,
): GuardFailure | null {
  const spec: ActionSpec = actionTable[action];
  const rule = spec.who[actor.role];
  if (!rule) return { reason: 'role', message: `a ${actor.role} may not ${action}` };
  const scope = scopeFailure(rule, c, actor);
  if (scope) return scope;
  if (!spec.from.includes(c.status)) {
    return { reason: 'state', message: `${action} is not possible when the case is ${c.status}` };
  }
  const slot = pendingSlot(c);
  if (!spec.pending.includes(slot)) {
    return {
      reason: 'state',
      message:
        slot === 'none'
          ? `${action} needs a pending ${spec.pending.join('/')} request`
          : `${action} is not possible while a ${slot} request is pending`,
    };
  }
  return spec.guard?.({ c, actor, config }) ?? null;
}

/** The actions `actor` may take on `c` now, in table order (for the UI and 409 answers). */
export function allowedActions(
  c: CaseSnapshot,
  actor: CaseActor,
  config: CaseRulesConfig = defaultCaseConfig,
): CaseAction[] {
  return caseActionNames.filter((action) => availability(c, action, actor, config) === null);
}

/**
 * Who acts next: for each role, the non-passive actions someone of that role with the right
 * scope (and, for handlers, the case's department) could take now.
 */
export function whoActsNext(
  c: CaseSnapshot,
  config: CaseRulesConfig = defaultCaseConfig,
): Partial<Record<ActorRole, CaseAction[]>> {
  const out: Partial<Record<ActorRole, CaseAction[]>> = {};
  for (const role of [...roles, 'system'] as const) {
    // An inspector's rights can depend on who they are (sent to verify, or the reporter).
    const ids = role === 'inspector' ? [c.inspectorId, c.reporterId, 'any-inspector'] : [`any-${role}`];
    const found = new Set<CaseAction>();
    for (const id of ids) {
      if (id === null) continue;
      const actor: CaseActor = { id, role, scope: '', departmentCode: c.departmentCode };
      for (const a of allowedActions(c, actor, config)) if (!actionTable[a].passive) found.add(a);
    }
    const actions = caseActionNames.filter((a) => found.has(a));
    if (actions.length) out[role] = actions;
  }
  return out;
}

/**
 * Checks and applies one action. `payload` is the untrusted body (unknown keys such as
 * `version` are ignored); `now` is the time of the action.
 */
export function decide(
  c: CaseSnapshot,
  action: string,
  actor: CaseActor,
  payload: unknown,
  now: Date,
  config: CaseRulesConfig = defaultCaseConfig,
): Decision {
  if (!isCaseAction(action)) {
    return { ok: false, reason: 'invalid', field: 'action', message: `unknown action "${action}"` };
  }
  const blocked = availability(c, action, actor, config);
  if (blocked) {
    if (blocked.reason === 'state') {
      return { ok: false, ...blocked, reason: 'state', allowed: allowedActions(c, actor, config) };
    }
    return { ok: false, reason: blocked.reason, message: blocked.message };
  }
  const parsed = parsePayload(actionTable[action].fields, payload);
  if (!parsed.ok) return { ok: false, reason: 'invalid', field: parsed.field, message: parsed.message };
  const input = parsed.input;
  const result = transitions[action]({ c, actor, input, now, config });
  if (!result.ok) return { ok: false, reason: 'invalid', field: result.field, message: result.message };
  const { next, effects, data } = result;
  const details: Record<string, TimelineValue> = { ...data };
  if (input.reason !== undefined) details.reason = input.reason;
  return {
    ok: true,
    next,
    effects,
    timelineEntry: {
      action,
      actorId: actor.id,
      actorRole: actor.role,
      at: now,
      fromStatus: c.status,
      toStatus: next.status,
      fromPending: c.pendingRequest?.kind ?? null,
      toPending: next.pendingRequest?.kind ?? null,
      note: input.note ?? null,
      photos: input.photos ?? [],
      location: input.location ?? null,
      data: details,
    },
  };
}
