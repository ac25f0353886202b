import { describe, expect, it } from 'vitest';
import { actionTable, type CaseAction, caseActionNames, type PendingSlot } from './case-machine.ts';
import { allowedActions, availability, decide, whoActsNext } from './decide.ts';
import { caseSources } from './sources.ts';
import {
  actorRoles,
  actors,
  outsiders,
  plusMinutes,
  samplePayloads,
  situation,
  T0,
  testConfig,
} from './test-fixtures.ts';
import {
  type ActorRole,
  type CaseSnapshot,
  caseStatuses,
  pendingKinds,
  statusesWithRequests,
} from './types.ts';

const now = plusMinutes(T0, 5);

/** Every (status, pending) situation the machine can be in. */
const situations: [CaseSnapshot['status'], PendingSlot][] = caseStatuses.flatMap((status) =>
  (statusesWithRequests.includes(status) ? (['none', ...pendingKinds] as const) : (['none'] as const)).map(
    (p): [CaseSnapshot['status'], PendingSlot] => [status, p],
  ),
);

/** What the table says, read independently of `decide`'s code path. */
function tableAllows(c: CaseSnapshot, action: CaseAction, role: ActorRole): boolean {
  const spec = actionTable[action];
  if (!spec.who[role]) return false;
  if (!spec.from.includes(c.status)) return false;
  if (!spec.pending.includes(c.pendingRequest?.kind ?? 'none')) return false;
  if (spec.who[role] === 'department' && c.departmentCode !== actors[role].departmentCode) return false;
  return (spec.guard?.({ c, actor: actors[role], config: testConfig }) ?? null) === null;
}

describe('the machine table, walked exhaustively', () => {
  const sources = ['inspector', 'public', 'iot'] as const;
  const cases = sources.flatMap((source) => situations.map(([s, p]) => [source, s, p] as const));

  it.each(cases)('%s report, %s with %s pending: every role × every action', (source, status, pending) => {
    const c = situation(status, pending, source);
    for (const role of actorRoles) {
      const actor = actors[role];
      const expected = caseActionNames.filter((a) => tableAllows(c, a, role));
      expect(allowedActions(c, actor, testConfig), role).toEqual(expected);
      for (const action of caseActionNames) {
        const d = decide(c, action, actor, samplePayloads[action], now, testConfig);
        const label = `${role} ${action}`;
        if (expected.includes(action)) {
          expect(d.ok, `${label}: ${d.ok ? '' : d.message}`).toBe(true);
          if (!d.ok) continue;
          const to = actionTable[action].to;
          if (to === 'unchanged') expect(d.next.status, label).toBe(c.status);
          else expect(to, label).toContain(d.next.status);
          expect(d.timelineEntry).toMatchObject({ action, actorId: actor.id, fromStatus: c.status, at: now });
          expect(d.timelineEntry.toStatus).toBe(d.next.status);
        } else {
          expect(d.ok, label).toBe(false);
          if (d.ok) continue;
          const spec = actionTable[action];
          if (!spec.who[role]) expect(d.reason, label).toBe('role');
          else expect(['state', 'scope', 'role'], label).toContain(d.reason);
          if (d.reason === 'state') expect(d.allowed, label).toEqual(expected);
        }
      }
    }
  });

  it('covers every status, every pending kind and every source in the table', () => {
    const reachable = new Set(Object.values(actionTable).flatMap((s) => (s.to === 'unchanged' ? [] : s.to)));
    for (const s of caseStatuses) if (s !== 'reported') expect(reachable, s).toContain(s);
    expect(situations).toHaveLength(caseStatuses.length + 2 * pendingKinds.length);
    expect(caseSources).toHaveLength(10);
  });

  it('lets every role of the loop comment (not the security administrator or the auditor), and only leaders and the system supervise', () => {
    for (const role of actorRoles) {
      if (role === 'security' || role === 'auditor') expect(actionTable.comment.who[role]).toBeUndefined();
      else expect(actionTable.comment.who[role]).toBeDefined();
    }
    expect(Object.keys(actionTable.supervise.who).sort()).toEqual(['leader', 'system']);
  });

  it('keeps department, inspector and leader actions away from the administrator (监管分离)', () => {
    for (const a of [
      'accept-task',
      'return',
      'handle',
      'request-extension',
      'verify',
      'self-handle',
    ] as const) {
      expect(actionTable[a].who.admin, a).toBeUndefined();
    }
    expect(actionTable.supervise.who.admin).toBeUndefined();
  });
});

describe('allowed actions per role, written out by hand', () => {
  // Source: an inspector's report; the department is set once the case has been dispatched.
  const expected: Record<string, Partial<Record<ActorRole, string>>> = {
    reported: {
      operator: 'verify-report accept reject merge hand-up comment',
      admin: 'verify-report accept reject merge hand-up comment',
      dispatcher: 'hand-up comment',
      leader: 'hand-up supervise comment',
      handler: '',
      inspector: 'self-handle comment',
      system: 'supervise comment',
    },
    verifying: {
      operator: 'verify-report reject merge comment',
      dispatcher: 'comment',
      leader: 'supervise comment',
      handler: '',
      inspector: 'confirm-report comment',
      system: 'supervise comment',
    },
    filed: {
      operator: 'reject merge suspend close hand-up comment',
      admin: 'reject merge dispatch auto-dispatch suspend close hand-up comment',
      dispatcher: 'dispatch auto-dispatch suspend hand-up comment',
      leader: 'suspend hand-up supervise comment',
      handler: '',
      inspector: 'comment',
      system: 'supervise comment',
    },
    dispatched: {
      operator: 'suspend close hand-up comment',
      admin: 'dispatch suspend close hand-up comment',
      dispatcher: 'dispatch suspend hand-up comment',
      leader: 'suspend hand-up supervise comment',
      handler: 'accept-task return request-extension request-suspension handle comment',
      inspector: 'comment',
      system: 'supervise comment',
    },
    handling: {
      dispatcher: 'dispatch suspend hand-up comment',
      handler: 'return request-extension request-suspension handle comment',
    },
    handled: {
      operator: 'close comment',
      dispatcher: 'comment',
      leader: 'supervise comment',
      handler: 'comment',
      inspector: 'verify comment',
      system: 'supervise comment',
    },
    checked: {
      operator: 'close comment',
      admin: 'close comment',
      handler: 'comment',
      inspector: 'comment',
      system: 'supervise comment',
    },
    suspended: {
      operator: 'resume close comment',
      dispatcher: 'resume comment',
      leader: 'resume supervise comment',
      handler: 'resume comment',
      inspector: 'comment',
      system: 'resume supervise comment',
    },
    'handed-up': {
      operator: 'close hand-down comment',
      dispatcher: 'hand-down comment',
      leader: 'hand-down supervise comment',
      handler: '',
      system: 'hand-down supervise comment',
    },
    closed: {
      operator: 'reopen comment',
      leader: 'reopen comment',
      dispatcher: 'comment',
      handler: 'comment',
      system: 'comment',
    },
    rejected: { operator: 'reopen comment', handler: '', inspector: 'comment' },
    merged: { admin: 'reopen comment', leader: 'reopen comment' },
  };
  const rows = Object.entries(expected).flatMap(([status, byRole]) =>
    Object.entries(byRole).map(([role, list]) => [status, role, list] as const),
  );
  it.each(rows)('%s: %s may %s', (status, role, list) => {
    const c = situation(status as CaseSnapshot['status']);
    const got = allowedActions(c, actors[role as ActorRole], testConfig);
    expect(got.join(' ')).toBe(list);
  });

  const pendingRows: [PendingSlot, ActorRole, string][] = [
    ['return', 'dispatcher', 'approve-return deny-return comment'],
    ['return', 'admin', 'approve-return deny-return close comment'],
    ['return', 'handler', 'comment'],
    ['return', 'leader', 'supervise comment'],
    ['extension', 'dispatcher', 'approve-extension deny-extension suspend comment'],
    ['extension', 'leader', 'approve-extension deny-extension suspend supervise comment'],
    ['extension', 'handler', 'handle comment'],
    ['extension', 'operator', 'suspend close comment'],
    ['suspension', 'dispatcher', 'approve-suspension deny-suspension suspend comment'],
    ['suspension', 'handler', 'handle comment'],
  ];
  it.each(pendingRows)('handling with %s pending: %s may %s', (pending, role, list) => {
    expect(allowedActions(situation('handling', pending), actors[role], testConfig).join(' ')).toBe(list);
  });

  it('machine sources let the system file, dispatch, check and close', () => {
    const sys = actors.system;
    expect(allowedActions(situation('reported', 'none', 'iot'), sys, testConfig)).toEqual([
      'accept',
      'merge',
      'supervise',
      'comment',
    ]);
    expect(allowedActions(situation('filed', 'none', 'camera'), sys, testConfig)).toContain('auto-dispatch');
    expect(allowedActions(situation('handled', 'none', 'iot'), sys, testConfig)).toContain('verify');
    expect(allowedActions(situation('checked', 'none', 'iot'), sys, testConfig)).toContain('close');
    expect(allowedActions(situation('handling', 'none', 'iot'), sys, testConfig)).not.toContain('close');
  });

  it('public reports are verified before they are filed, or filed directly with a reason', () => {
    const c = situation('reported', 'none', 'public');
    expect(allowedActions(c, actors.operator, testConfig)).toEqual([
      'verify-report',
      'accept',
      'reject',
      'merge',
      'hand-up',
      'comment',
    ]);
    const verified = { ...c, verification: 'confirmed' as const };
    expect(allowedActions(verified, actors.operator, testConfig)).toContain('accept');
    expect(allowedActions({ ...c, verification: 'not-found' }, actors.operator, testConfig)).not.toContain(
      'accept',
    );
    // A city whose policy has no direct filing waits for the inspector.
    const strict = {
      ...testConfig,
      sources: { ...testConfig.sources, public: { ...testConfig.sources.public, directFiling: false } },
    };
    expect(allowedActions(c, actors.operator, strict)).not.toContain('accept');
  });
});

describe('scope', () => {
  it.each(situations)('outsiders are refused with scope in %s (%s pending)', (status, pending) => {
    const c = situation(status, pending);
    for (const role of actorRoles) {
      if (role === 'system') continue;
      for (const action of allowedActions(c, actors[role], testConfig)) {
        const d = decide(c, action, outsiders[role], samplePayloads[action], now, testConfig);
        expect(d.ok ? 'ok' : d.reason, `${role} ${action}`).toBe('scope');
      }
    }
  });

  it('checks role before scope and scope before state', () => {
    const c = situation('closed');
    expect(availability(c, 'handle', outsiders.inspector)?.reason).toBe('role');
    expect(availability(c, 'accept', outsiders.operator)?.reason).toBe('scope');
    expect(availability(c, 'accept', actors.operator)?.reason).toBe('state');
  });

  it('a handler without a department is out of scope', () => {
    const c = situation('dispatched');
    const d = decide(c, 'handle', { ...actors.handler, departmentCode: null }, samplePayloads.handle, now);
    expect(d).toMatchObject({ ok: false, reason: 'scope' });
  });

  it('only the inspector sent to verify may confirm', () => {
    const c = { ...situation('verifying'), inspectorId: 'u-other' };
    expect(decide(c, 'confirm-report', actors.inspector, {}, now)).toMatchObject({
      ok: false,
      reason: 'scope',
    });
    const mine = { ...c, inspectorId: actors.inspector.id };
    expect(decide(mine, 'confirm-report', actors.inspector, {}, now).ok).toBe(true);
  });
});

describe('whoActsNext', () => {
  it('names the roles that move the case on, without passive actions', () => {
    expect(whoActsNext(situation('dispatched'), testConfig)).toEqual({
      admin: ['dispatch', 'suspend', 'close', 'hand-up'],
      leader: ['suspend', 'hand-up'],
      operator: ['suspend', 'close', 'hand-up'],
      dispatcher: ['dispatch', 'suspend', 'hand-up'],
      handler: ['accept-task', 'return', 'request-extension', 'request-suspension', 'handle'],
    });
    expect(whoActsNext(situation('handled'), testConfig).inspector).toEqual(['verify']);
    expect(whoActsNext(situation('reported'), testConfig).inspector).toEqual(['self-handle']);
    expect(whoActsNext({ ...situation('verifying'), inspectorId: 'u-x' }, testConfig).inspector).toEqual([
      'confirm-report',
    ]);
    expect(whoActsNext(situation('closed'), testConfig)).toEqual({
      admin: ['reopen'],
      leader: ['reopen'],
      operator: ['reopen'],
    });
  });
});
