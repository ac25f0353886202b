import { describe, expect, it } from 'vitest';
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
  testConfig,
} from './test-fixtures.ts';
import type { CaseSnapshot } from './types.ts';

const act = (c: CaseSnapshot, action: string, role: keyof typeof actors, body: unknown, now = T0) =>
  decide(c, action, actors[role], body, now, testConfig);

/** Dispatched Monday 10:00 (due Tuesday 10:00), handled `handleAfter` minutes later, checked. */
function checked(handleAfter: number): { c: CaseSnapshot; now: Date } {
  return run(makeCase(), plusMinutes(T0, -1), [
    ['accept', actors.operator, {}, 0],
    ['dispatch', actors.dispatcher, { departmentCode: DEPT }, 1],
    ['handle', actors.handler, { photos: ['a.jpg'] }, handleAfter],
    ['verify', actors.inspector, { passed: true }, 10],
  ]);
}

describe('close 结案 and close types', () => {
  it('closes normally when handled on time', () => {
    const { c, now } = checked(60);
    expect(expectOk(act(c, 'close', 'operator', {}, now)).next.closeType).toBe('normal');
  });

  it('decides overdue from the handling deadline, even when normal is asked', () => {
    const late = 2 * 24 * 60; // handled on Wednesday
    const { c, now } = checked(late);
    expect(expectOk(act(c, 'close', 'operator', {}, now)).next.closeType).toBe('overdue');
    expect(expectOk(act(c, 'close', 'operator', { closeType: 'normal' }, now)).next.closeType).toBe(
      'overdue',
    );
  });

  it('handled exactly at the deadline is on time', () => {
    const { c, now } = checked(24 * 60); // Tuesday 10:00 = due
    expect(expectOk(act(c, 'close', 'operator', {}, now)).next.closeType).toBe('normal');
  });

  it('records an explicit overdue, special or erroneous close as given', () => {
    const { c, now } = checked(60);
    for (const closeType of ['overdue', 'special', 'erroneous'] as const) {
      expect(expectOk(act(c, 'close', 'operator', { closeType }, now)).next.closeType).toBe(closeType);
    }
    expect(act(c, 'close', 'operator', { closeType: 'fast' }, now)).toMatchObject({ field: 'closeType' });
  });

  it('before a passed check only special or erroneous closes are possible', () => {
    const handling = situation('handling');
    expect(act(handling, 'close', 'operator', {})).toMatchObject({
      ok: false,
      reason: 'invalid',
      field: 'closeType',
    });
    expect(act(handling, 'close', 'operator', { closeType: 'normal' })).toMatchObject({ field: 'closeType' });
    const special = expectOk(
      act(handling, 'close', 'operator', { closeType: 'special', note: 'demolished' }),
    );
    expect(special.next).toMatchObject({ status: 'closed', closeType: 'special', closedAt: T0 });
    expect(special.next.deadlines.handling).toMatchObject({ cancelled: true, completedAt: T0 });
    const filed = run(makeCase(), T0, [['accept', actors.operator, {}, 0]]).c;
    expect(expectOk(act(filed, 'close', 'operator', { closeType: 'erroneous' })).next.closeType).toBe(
      'erroneous',
    );
  });

  it('closing clears a pending request, a suspension and a hand-up', () => {
    const pending = expectOk(
      act(situation('handling', 'extension'), 'close', 'admin', { closeType: 'special' }),
    );
    expect(pending.next.pendingRequest).toBeNull();
    expect(pending.effects).toContainEqual({ type: 'request-withdrawn', kind: 'extension' });
    const suspended = expectOk(act(situation('suspended'), 'close', 'operator', { closeType: 'special' }));
    expect(suspended.next.suspension).toBeNull();
    const up = expectOk(act(situation('handed-up'), 'close', 'operator', { closeType: 'special' }));
    expect(up.next.handUp).toBeNull();
  });

  it('the system closes only checked machine cases', () => {
    const iot = { ...situation('checked', 'none', 'iot') };
    expect(decide(iot, 'close', actors.system, {}, T0, testConfig).ok).toBe(true);
    expect(decide(situation('checked'), 'close', actors.system, {}, T0, testConfig)).toMatchObject({
      reason: 'role',
    });
    expect(
      decide(situation('handling', 'none', 'iot'), 'close', actors.system, { closeType: 'special' }, T0),
    ).toMatchObject({
      reason: 'state',
    });
  });
});

describe('self-handle 自处理', () => {
  it('the reporting inspector reports and fixes in one step', () => {
    const d = expectOk(act(situation('reported'), 'self-handle', 'inspector', { photos: ['after.jpg'] }));
    expect(d.next).toMatchObject({ status: 'closed', closeType: 'normal', selfHandled: true, closedAt: T0 });
    expect(d.effects).toContainEqual({ type: 'closed', closeType: 'normal', selfHandled: true });
    expect(d.next.deadlines.filing).toMatchObject({ completedAt: T0, cancelled: false });
  });

  it('needs after-photos, the reporter, and an inspector report', () => {
    expect(act(situation('reported'), 'self-handle', 'inspector', {})).toMatchObject({ field: 'photos' });
    expect(act(situation('reported'), 'self-handle', 'inspector', { photos: [] })).toMatchObject({
      field: 'photos',
    });
    const other = { ...situation('reported'), reporterId: 'u-another-inspector' };
    expect(act(other, 'self-handle', 'inspector', { photos: ['a'] })).toMatchObject({ reason: 'scope' });
    const pub = situation('reported', 'none', 'public');
    expect(act(pub, 'self-handle', 'inspector', { photos: ['a'] })).toMatchObject({ reason: 'state' });
    expect(act(situation('reported'), 'self-handle', 'operator', { photos: ['a'] })).toMatchObject({
      reason: 'role',
    });
  });
});

describe('hand-up 上报 / hand-down 下派 (双向通道)', () => {
  it('hands a case up with its clocks paused, and down to a department with fresh ones', () => {
    const c = situation('handling');
    expect(act(c, 'hand-up', 'leader', { reason: 'x' })).toMatchObject({ field: 'target' });
    expect(act(c, 'hand-up', 'leader', { target: 'higher-platform' })).toMatchObject({ field: 'reason' });
    expect(act(c, 'hand-up', 'leader', { target: 'mars', reason: 'x' })).toMatchObject({ field: 'target' });
    const up = expectOk(
      act(c, 'hand-up', 'dispatcher', { target: 'department', to: 'D-WATER', reason: 'river' }),
    );
    expect(up.next).toMatchObject({
      status: 'handed-up',
      handUp: { from: 'handling', target: 'department', to: 'D-WATER', at: T0 },
    });
    expect(up.next.deadlines.handling?.pausedAt).toEqual(T0);
    expect(up.effects).toContainEqual({ type: 'handed-up', target: 'department', to: 'D-WATER' });
    expect(up.timelineEntry.data).toEqual({ target: 'department', to: 'D-WATER', reason: 'river' });

    const later = at('2026-11-25', '10:00');
    const down = expectOk(act(up.next, 'hand-down', 'system', { departmentCode: OTHER_DEPT }, later));
    expect(down.next).toMatchObject({ status: 'dispatched', departmentCode: OTHER_DEPT, handUp: null });
    expect(down.next.deadlines.handling).toMatchObject({
      startedAt: later,
      dueAt: at('2026-11-26', '10:00'),
    });
    expect(down.effects.at(-1)).toEqual({ type: 'handed-down', to: 'dispatched' });
  });

  it('hand-down without a department goes to the dispatch queue', () => {
    const d = expectOk(act(situation('handed-up'), 'hand-down', 'operator', {}));
    expect(d.next).toMatchObject({ status: 'filed', departmentCode: null });
    expect(d.next.deadlines.dispatch?.startedAt).toEqual(T0);
  });
});

describe('reopen, supervise, comment, re-dispatch', () => {
  it('reopens a closed case to the dispatch queue', () => {
    const d = expectOk(act(situation('closed'), 'reopen', 'leader', { reason: 'came back' }));
    expect(d.next).toMatchObject({
      status: 'filed',
      closeType: null,
      closedAt: null,
      departmentCode: null,
      counters: { reopenings: 1 },
    });
    expect(d.effects).toContainEqual({ type: 'reopened', to: 'filed' });
    expect(act(situation('closed'), 'reopen', 'leader', {})).toMatchObject({ field: 'reason' });
    expect(expectOk(act(situation('rejected'), 'reopen', 'operator', { reason: 'x' })).next.status).toBe(
      'reported',
    );
  });

  it('supervision is recorded without changing the state', () => {
    const c = situation('handling', 'extension');
    const d = expectOk(act(c, 'supervise', 'leader', { note: '今天必须处置' }));
    expect(d.next.status).toBe('handling');
    expect(d.next.pendingRequest).toEqual(c.pendingRequest);
    expect(d.next.counters.supervisions).toBe(1);
    expect(d.effects).toEqual([{ type: 'supervised', count: 1 }]);
    expect(d.timelineEntry).toMatchObject({ action: 'supervise', note: '今天必须处置', actorRole: 'leader' });
    expect(act(c, 'supervise', 'inspector', {})).toMatchObject({ reason: 'role' });
    expect(act(situation('closed'), 'supervise', 'leader', {})).toMatchObject({ reason: 'state' });
  });

  it('a comment needs its text and changes nothing else', () => {
    const c = situation('closed');
    expect(act(c, 'comment', 'handler', {})).toMatchObject({ field: 'note' });
    const d = expectOk(act(c, 'comment', 'handler', { note: 'invoice attached', photos: ['inv.jpg'] }));
    expect(d.next).toEqual(c);
    expect(d.effects).toEqual([]);
    expect(d.timelineEntry).toMatchObject({ fromStatus: 'closed', toStatus: 'closed', photos: ['inv.jpg'] });
  });

  it('re-dispatch moves the case to another department with fresh clocks', () => {
    const c = situation('handling');
    expect(act(c, 'dispatch', 'dispatcher', { departmentCode: DEPT })).toMatchObject({
      field: 'departmentCode',
    });
    expect(act(c, 'dispatch', 'dispatcher', {})).toMatchObject({ field: 'departmentCode' });
    const d = expectOk(act(c, 'dispatch', 'dispatcher', { departmentCode: OTHER_DEPT }));
    expect(d.next).toMatchObject({
      status: 'dispatched',
      departmentCode: OTHER_DEPT,
      counters: { dispatches: 1 },
    });
    expect(d.effects).toContainEqual({
      type: 'department-set',
      departmentCode: OTHER_DEPT,
      previous: DEPT,
      auto: false,
    });
    expect(d.next.deadlines.handling?.startedAt).toEqual(T0);
  });

  it('re-sending an inspector to verify re-assigns and restarts the clock', () => {
    const c = { ...situation('verifying'), inspectorId: 'u-a' };
    const d = expectOk(act(c, 'verify-report', 'operator', { inspectorId: 'u-b' }, plusMinutes(T0, 40)));
    expect(d.next.inspectorId).toBe('u-b');
    expect(d.next.deadlines['verify-report']?.startedAt).toEqual(plusMinutes(T0, 40));
  });
});

describe('bad requests', () => {
  it('names an unknown action', () => {
    expect(act(situation('reported'), 'approve', 'operator', {})).toMatchObject({
      ok: false,
      reason: 'invalid',
      field: 'action',
    });
  });

  it('refuses a body that is not an object, and ignores unknown keys', () => {
    expect(act(situation('reported'), 'accept', 'operator', [1, 2])).toMatchObject({ field: 'body' });
    expect(act(situation('reported'), 'accept', 'operator', 'x')).toMatchObject({ field: 'body' });
    expect(act(situation('reported'), 'accept', 'operator', null).ok).toBe(true);
    expect(act(situation('reported'), 'accept', 'operator', { version: 3, extra: true }).ok).toBe(true);
  });

  it('a state refusal lists what is allowed instead', () => {
    expect(act(situation('closed'), 'dispatch', 'dispatcher', { departmentCode: DEPT })).toEqual({
      ok: false,
      reason: 'state',
      message: 'dispatch is not possible when the case is closed',
      allowed: ['comment'],
    });
    expect(act(situation('handling', 'return'), 'approve-extension', 'dispatcher', {})).toMatchObject({
      reason: 'state',
      allowed: ['approve-return', 'deny-return', 'comment'],
    });
    expect(act(situation('handling'), 'approve-return', 'dispatcher', {})).toMatchObject({
      reason: 'state',
      message: 'approve-return needs a pending return request',
    });
  });

  it('does not change the snapshot it was given', () => {
    const c = situation('handling');
    const copy = structuredClone(c);
    expectOk(act(c, 'suspend', 'operator', { reason: 'x' }));
    expectOk(act(c, 'dispatch', 'dispatcher', { departmentCode: OTHER_DEPT }));
    expect(c).toEqual(copy);
  });
});
