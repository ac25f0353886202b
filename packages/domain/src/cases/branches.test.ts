import { describe, expect, it } from 'vitest';
import { workingTimeBetween } from './calendar.ts';
import { deadlineState } from './deadlines.ts';
import { decide } from './decide.ts';
import {
  actors,
  at,
  DEPT,
  expectOk,
  makeCase,
  OTHER_DEPT,
  plusMinutes,
  run,
  situation,
  T0,
  testCalendar,
  testConfig,
} from './test-fixtures.ts';
import type { CaseSnapshot } from './types.ts';

const act = (c: CaseSnapshot, action: string, role: keyof typeof actors, body: unknown, now = T0) =>
  decide(c, action, actors[role], body, now, testConfig);

/** A case dispatched to DEPT at Monday 10:00, handling limit 1 working day (due Tuesday 10:00). */
function dispatched(): CaseSnapshot {
  return run(makeCase(), plusMinutes(T0, -2), [
    ['accept', actors.operator, {}, 1],
    ['dispatch', actors.dispatcher, { departmentCode: DEPT }, 1],
  ]).c;
}

describe('reject 不予立案 / 作废', () => {
  it('needs a reason', () => {
    expect(act(situation('reported'), 'reject', 'operator', {})).toMatchObject({
      ok: false,
      reason: 'invalid',
      field: 'reason',
    });
    expect(act(situation('reported'), 'reject', 'operator', { reason: '   ' })).toMatchObject({
      field: 'reason',
    });
  });

  it('takes the note as the reason when no reason is given', () => {
    const d = expectOk(act(situation('reported'), 'reject', 'operator', { note: 'duplicate call' }));
    expect(d.timelineEntry.data.reason).toBe('duplicate call');
  });

  it('voiding a filed case counts against filing accuracy and cancels its clocks', () => {
    const filed = run(makeCase(), T0, [['accept', actors.operator, {}, 1]]).c;
    const d = expectOk(act(filed, 'reject', 'operator', { reason: 'not a city matter' }));
    expect(d.next.status).toBe('rejected');
    expect(d.effects).toContainEqual({ type: 'rejected', voided: true });
    expect(d.next.deadlines.dispatch).toMatchObject({ cancelled: true, completedAt: T0 });
  });
});

describe('merge 合并', () => {
  it('merges into another case, never into itself', () => {
    const c = situation('reported');
    expect(act(c, 'merge', 'operator', { targetCaseId: c.id })).toMatchObject({ field: 'targetCaseId' });
    expect(act(c, 'merge', 'operator', {})).toMatchObject({ field: 'targetCaseId' });
    const d = expectOk(act(c, 'merge', 'operator', { targetCaseId: 'case-0' }));
    expect(d.next).toMatchObject({ status: 'merged', mergedInto: 'case-0' });
    expect(d.effects).toContainEqual({ type: 'merged', into: 'case-0', auto: false });
  });

  it('machine duplicates merge automatically; reopen un-merges', () => {
    const c = situation('reported', 'none', 'camera');
    const d = expectOk(decide(c, 'merge', actors.system, { targetCaseId: 'case-0' }, T0, testConfig));
    expect(d.effects).toContainEqual({ type: 'merged', into: 'case-0', auto: true });
    const back = expectOk(act(d.next, 'reopen', 'operator', { reason: 'different cover' }));
    expect(back.next).toMatchObject({ status: 'reported', mergedInto: null, counters: { reopenings: 1 } });
    expect(back.next.deadlines.filing?.startedAt).toEqual(T0);
  });
});

describe('return 回退', () => {
  const returned = () => expectOk(act(dispatched(), 'return', 'handler', { reason: 'not our road' })).next;

  it('opens a return request; the department waits', () => {
    const c = returned();
    expect(c.status).toBe('dispatched');
    expect(c.pendingRequest).toMatchObject({
      kind: 'return',
      reason: 'not our road',
      requestedBy: 'u-handler',
    });
    expect(act(c, 'handle', 'handler', { photos: ['a'] })).toMatchObject({ ok: false, reason: 'state' });
  });

  it('approved: back to the dispatch queue, counted against dispatch accuracy', () => {
    const d = expectOk(act(returned(), 'approve-return', 'dispatcher', {}, plusMinutes(T0, 30)));
    expect(d.next).toMatchObject({
      status: 'filed',
      departmentCode: null,
      pendingRequest: null,
      counters: { returns: 1 },
    });
    expect(d.effects).toEqual(
      expect.arrayContaining([
        { type: 'request-approved', kind: 'return' },
        { type: 'dispatch-returned', departmentCode: DEPT },
        { type: 'department-cleared', previous: DEPT },
      ]),
    );
    expect(d.next.deadlines.handling?.cancelled).toBe(true);
    expect(d.next.deadlines.dispatch?.startedAt).toEqual(plusMinutes(T0, 30));
  });

  it('approved with a department: re-dispatched in one step', () => {
    const d = expectOk(act(returned(), 'approve-return', 'dispatcher', { departmentCode: OTHER_DEPT }));
    expect(d.next).toMatchObject({
      status: 'dispatched',
      departmentCode: OTHER_DEPT,
      counters: { dispatches: 2 },
    });
    expect(act(returned(), 'approve-return', 'dispatcher', { departmentCode: DEPT })).toMatchObject({
      field: 'departmentCode',
    });
  });

  it('denied: the department keeps the task', () => {
    const d = expectOk(act(returned(), 'deny-return', 'dispatcher', { reason: 'it is your road' }));
    expect(d.next).toMatchObject({ status: 'dispatched', departmentCode: DEPT, pendingRequest: null });
    expect(d.effects).toEqual([{ type: 'request-denied', kind: 'return' }]);
    expect(d.timelineEntry).toMatchObject({ fromPending: 'return', toPending: null });
  });
});

describe('extension 延期', () => {
  const due = at('2026-11-24', '10:00');

  it('asks for an instant or a duration, in the future, after the current deadline', () => {
    const c = dispatched();
    expect(c.deadlines.handling?.dueAt).toEqual(due);
    expect(act(c, 'request-extension', 'handler', { reason: 'parts' })).toMatchObject({ field: 'until' });
    expect(act(c, 'request-extension', 'handler', { until: due.toISOString() })).toMatchObject({
      field: 'reason',
    });
    const both = { reason: 'x', until: '2026-11-30T10:00:00+08:00', duration: { days: 1 } };
    expect(act(c, 'request-extension', 'handler', both)).toMatchObject({ field: 'until' });
    const past = { reason: 'x', until: plusMinutes(T0, -1).toISOString() };
    expect(act(c, 'request-extension', 'handler', past)).toMatchObject({ field: 'until' });
    const early = { reason: 'x', until: plusMinutes(due, -60).toISOString() };
    expect(act(c, 'request-extension', 'handler', early)).toMatchObject({
      message: expect.stringMatching(/later/),
    });
    expect(act(c, 'request-extension', 'handler', { reason: 'x', duration: { days: 0 } })).toMatchObject({
      field: 'duration',
    });
    expect(act(c, 'request-extension', 'handler', { reason: 'x', until: 'next week' })).toMatchObject({
      field: 'until',
    });
  });

  it('approved: the handling deadline moves to the requested instant', () => {
    const until = '2026-11-27T17:30:00+08:00';
    const asked = expectOk(
      act(dispatched(), 'request-extension', 'handler', { reason: 'parts on order', until }),
    );
    expect(asked.next.pendingRequest).toMatchObject({ kind: 'extension', until: new Date(until) });
    const d = expectOk(act(asked.next, 'approve-extension', 'leader', {}));
    expect(d.next.deadlines.handling).toMatchObject({ dueAt: new Date(until), extensions: 1 });
    expect(d.next.counters.extensions).toBe(1);
    expect(d.next.pendingRequest).toBeNull();
    expect(d.effects).toContainEqual({
      type: 'deadline-extended',
      step: 'handling',
      from: due,
      to: new Date(until),
    });
    expect(d.timelineEntry.data.dueAt).toBe(new Date(until).toISOString());
  });

  it('approved: a duration is added in working time; the approver may grant a different one', () => {
    const asked = expectOk(
      act(dispatched(), 'request-extension', 'handler', { reason: 'x', duration: { days: 2 } }),
    );
    const d = expectOk(act(asked.next, 'approve-extension', 'dispatcher', {}));
    expect(d.next.deadlines.handling?.dueAt).toEqual(at('2026-11-26', '10:00'));
    const less = expectOk(act(asked.next, 'approve-extension', 'dispatcher', { duration: { hours: 3 } }));
    expect(less.next.deadlines.handling?.dueAt).toEqual(at('2026-11-24', '14:00'));
    // The warning moves with the longer span (80 % of 3 working days from Monday 10:00).
    const warn = d.next.deadlines.handling?.warnAt ?? T0;
    expect(workingTimeBetween(T0, warn, testCalendar)).toBeCloseTo(0.8 * 3 * 450);
  });

  it('denied: the deadline stays', () => {
    const asked = expectOk(
      act(dispatched(), 'request-extension', 'handler', { reason: 'x', duration: { days: 1 } }),
    );
    const d = expectOk(act(asked.next, 'deny-extension', 'dispatcher', { reason: 'no' }));
    expect(d.next.deadlines.handling?.dueAt).toEqual(due);
    expect(d.next.counters.extensions).toBe(0);
  });

  it('handling while the request is pending withdraws it', () => {
    const asked = expectOk(
      act(dispatched(), 'request-extension', 'handler', { reason: 'x', duration: { days: 1 } }),
    );
    const d = expectOk(act(asked.next, 'handle', 'handler', { photos: ['a.jpg'] }));
    expect(d.next.pendingRequest).toBeNull();
    expect(d.effects).toContainEqual({ type: 'request-withdrawn', kind: 'extension' });
  });
});

describe('suspension 挂账 and resume', () => {
  it('approved: the clocks stop; on resume the deadline moves by the suspended working time', () => {
    const friday = at('2026-11-27', '17:00');
    const c = dispatched();
    const asked = expectOk(act(c, 'request-suspension', 'handler', { reason: 'needs funding' }, friday));
    const s = expectOk(act(asked.next, 'approve-suspension', 'dispatcher', {}, friday));
    expect(s.next).toMatchObject({ status: 'suspended', suspension: { from: 'dispatched', since: friday } });
    expect(s.next.counters.suspensions).toBe(1);
    expect(s.effects).toContainEqual({ type: 'deadlines-paused', steps: ['handling'] });
    // Overdue since Tuesday, but frozen at the pause: still overdue, no worse.
    const handling = s.next.deadlines.handling;
    expect(handling && deadlineState(handling, at('2026-12-31', '10:00'))).toBe('overdue');

    const monday = at('2026-11-30', '10:00');
    const r = expectOk(act(s.next, 'resume', 'dispatcher', {}, monday));
    expect(r.next).toMatchObject({ status: 'dispatched', suspension: null });
    // Friday 17:00 → Monday 10:00 is 1.5 working hours.
    expect(r.next.deadlines.handling?.dueAt).toEqual(at('2026-11-24', '11:30'));
    expect(r.next.deadlines.handling?.pausedMs).toBe(90 * 60_000);
    expect(r.effects).toContainEqual({ type: 'resumed', to: 'dispatched' });
  });

  it('a suspension during the day gives back exactly the time lost', () => {
    const c = expectOk(act(dispatched(), 'accept-task', 'handler', {})).next;
    const s = expectOk(act(c, 'suspend', 'operator', { reason: 'road works first' }, plusMinutes(T0, 60)));
    const r = expectOk(act(s.next, 'resume', 'handler', {}, plusMinutes(T0, 240))); // 11:00 → 14:00 = 2 h working
    expect(r.next.status).toBe('handling');
    expect(r.next.deadlines.handling?.dueAt).toEqual(at('2026-11-24', '12:00'));
  });

  it('the command centre may suspend a filed case; it resumes to filed', () => {
    const filed = run(makeCase(), T0, [['accept', actors.operator, {}, 0]]).c;
    const s = expectOk(
      act(filed, 'suspend', 'operator', {
        reason: 'wait for rain to stop',
        until: '2026-11-25T09:00:00+08:00',
      }),
    );
    expect(s.next.suspension).toMatchObject({ from: 'filed', until: at('2026-11-25', '09:00') });
    expect(expectOk(act(s.next, 'resume', 'system', {}, at('2026-11-25', '09:00'))).next.status).toBe(
      'filed',
    );
  });

  it('suspend settles a pending request; denial leaves the case as it was', () => {
    const asked = expectOk(
      act(dispatched(), 'request-suspension', 'handler', { reason: 'x', until: '2026-12-01T09:00:00+08:00' }),
    );
    const s = expectOk(act(asked.next, 'suspend', 'dispatcher', { reason: 'agreed' }));
    expect(s.effects).toContainEqual({ type: 'request-approved', kind: 'suspension' });
    expect(s.next.suspension?.until).toEqual(at('2026-12-01', '09:00'));
    const ext = expectOk(
      act(dispatched(), 'request-extension', 'handler', { reason: 'x', duration: { days: 1 } }),
    );
    expect(expectOk(act(ext.next, 'suspend', 'dispatcher', { reason: 'y' })).effects).toContainEqual({
      type: 'request-withdrawn',
      kind: 'extension',
    });
    const denied = expectOk(act(asked.next, 'deny-suspension', 'leader', { reason: 'fix it now' }));
    expect(denied.next).toMatchObject({ status: 'dispatched', pendingRequest: null, suspension: null });
    expect(
      act(dispatched(), 'suspend', 'operator', { reason: 'x', until: '2020-01-01T00:00:00Z' }),
    ).toMatchObject({
      field: 'until',
    });
    expect(
      act(dispatched(), 'request-suspension', 'handler', { reason: 'x', until: '2020-01-01T00:00:00Z' }),
    ).toMatchObject({
      field: 'until',
    });
  });
});

describe('rework 返工', () => {
  it('a failed check sends the case back; the handling clock reopens without the check time', () => {
    const { c: handled } = run(dispatched(), T0, [['handle', actors.handler, { photos: ['a.jpg'] }, 60]]); // 11:00
    const fail = expectOk(
      act(handled, 'verify', 'inspector', { passed: false, note: 'still dirty' }, plusMinutes(T0, 90)),
    );
    expect(fail.next).toMatchObject({ status: 'handling', counters: { reworks: 1 } });
    expect(fail.effects).toContainEqual({ type: 'rework', count: 1 });
    // 30 working minutes spent in check are given back: due Tuesday 10:30.
    expect(fail.next.deadlines.handling).toMatchObject({
      completedAt: null,
      dueAt: at('2026-11-24', '10:30'),
    });
    expect(fail.next.deadlines.check?.completedAt).toEqual(plusMinutes(T0, 90));
    const { c } = run(fail.next, plusMinutes(T0, 90), [
      ['handle', actors.handler, { photos: ['b.jpg'] }, 60],
      ['verify', actors.inspector, { passed: true }, 20],
      ['close', actors.operator, {}, 5],
    ]);
    expect(c).toMatchObject({ status: 'closed', closeType: 'normal', counters: { reworks: 1 } });
  });

  it('verify needs passed', () => {
    expect(act(situation('handled'), 'verify', 'inspector', {})).toMatchObject({ field: 'passed' });
    expect(act(situation('handled'), 'verify', 'inspector', { passed: 'yes' })).toMatchObject({
      field: 'passed',
    });
  });
});
