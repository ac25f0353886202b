import { describe, expect, it } from 'vitest';
import { deadlineState } from './deadlines.ts';
import { decide } from './decide.ts';
import { openCase } from './open-case.ts';
import { actors, at, DEPT, expectOk, plusMinutes, run, T0, testConfig } from './test-fixtures.ts';
import { type CaseEffect, systemActor } from './types.ts';

const report = (source: 'inspector' | 'public' | 'iot' | 'hotline', category = '06010', now = T0) =>
  openCase(
    {
      id: 'case-1',
      source,
      category,
      areaCode: '310101002001007',
      areaClass: 'B',
      reporter: source === 'inspector' ? actors.inspector : { id: 'citizen-1', role: 'system' },
      note: 'garbage by the gate',
      photos: ['before-1.jpg'],
      location: { lng: 121.48, lat: 31.23 },
    },
    now,
    testConfig,
  );

const types = (effects: readonly CaseEffect[]) => effects.map((e) => e.type);

describe('openCase', () => {
  it('starts a reported case with its filing clock and a report entry', () => {
    const { snapshot, effects, timelineEntry } = report('inspector');
    expect(snapshot).toMatchObject({ status: 'reported', urgency: 'normal', reporterId: 'u-inspector' });
    expect(snapshot.deadlines.filing?.dueAt).toEqual(plusMinutes(T0, 60));
    expect(types(effects)).toEqual(['deadline-started']);
    expect(timelineEntry).toMatchObject({
      action: 'report',
      fromStatus: null,
      toStatus: 'reported',
      photos: ['before-1.jpg'],
      data: { source: 'inspector', category: '06010', urgency: 'normal' },
    });
  });

  it('defaults urgency to normal and area class to C', () => {
    const { snapshot } = openCase(
      { id: 'x', source: 'iot', category: '01002', areaCode: '310101', reporter: systemActor },
      T0,
    );
    expect(snapshot).toMatchObject({ urgency: 'normal', areaClass: 'C', reporterId: 'system' });
  });
});

describe('the full loop 发现→立案→派遣→处置→核查→结案', () => {
  it('runs an inspector report through every step with deadlines and a timeline', () => {
    const start = report('inspector').snapshot;
    const { c, decisions } = run(start, T0, [
      ['accept', actors.operator, { version: 1 }, 10], // 10:10
      ['dispatch', actors.dispatcher, { departmentCode: DEPT }, 10], // 10:20
      ['accept-task', actors.handler, {}, 20], // 10:40
      ['handle', actors.handler, { photos: ['after-1.jpg'], note: 'cleaned' }, 120], // 12:40
      ['verify', actors.inspector, { passed: true, photos: ['check.jpg'] }, 15], // 12:55
      ['close', actors.operator, {}, 5], // 13:00
    ]);
    expect(decisions.map((d) => d.timelineEntry.toStatus)).toEqual([
      'filed',
      'dispatched',
      'handling',
      'handled',
      'checked',
      'closed',
    ]);
    expect(c).toMatchObject({
      status: 'closed',
      closeType: 'normal',
      departmentCode: DEPT,
      selfHandled: false,
    });
    expect(c.closedAt).toEqual(at('2026-11-23', '13:00'));
    // Every clock stopped on time: filing, dispatch, handling (1 working day), check.
    const { filing, dispatch, handling, check } = c.deadlines;
    expect(filing?.completedAt).toEqual(plusMinutes(T0, 10));
    expect(dispatch?.dueAt).toEqual(plusMinutes(T0, 40));
    expect(handling?.dueAt).toEqual(at('2026-11-24', '10:20'));
    expect(handling?.completedAt).toEqual(at('2026-11-23', '12:40'));
    expect(check?.dueAt).toEqual(at('2026-11-23', '13:10'));
    for (const d of [filing, dispatch, handling, check]) expect(d && deadlineState(d, T0)).toBe('ok');
    expect(c.counters.dispatches).toBe(1);

    const [accept, dispatchD, , handle, verify, close] = decisions;
    expect(types(accept?.effects ?? [])).toEqual(['deadline-stopped', 'filed', 'deadline-started']);
    expect(dispatchD?.effects).toContainEqual({
      type: 'department-set',
      departmentCode: DEPT,
      previous: null,
      auto: false,
    });
    expect(handle?.timelineEntry).toMatchObject({ note: 'cleaned', photos: ['after-1.jpg'] });
    expect(verify?.timelineEntry.data).toEqual({ passed: true });
    expect(close?.effects).toContainEqual({ type: 'closed', closeType: 'normal', selfHandled: false });
  });

  it('handle works straight from dispatched: signing for the task is optional', () => {
    const { c } = run(report('inspector').snapshot, T0, [
      ['accept', actors.operator, {}, 1],
      ['dispatch', actors.dispatcher, { departmentCode: DEPT }, 1],
      ['handle', actors.handler, { photos: ['a.jpg'] }, 30],
    ]);
    expect(c.status).toBe('handled');
  });

  it('public reports: verify on site, then file', () => {
    const start = report('public').snapshot;
    // Filing before verification (直接立案) needs a reason, which the timeline keeps.
    const early = decide(start, 'accept', actors.operator, {}, plusMinutes(T0, 1), testConfig);
    expect(early).toMatchObject({ ok: false, reason: 'invalid', field: 'reason' });
    const direct = expectOk(
      decide(
        start,
        'accept',
        actors.operator,
        { reason: '照片清晰，无需核实' },
        plusMinutes(T0, 1),
        testConfig,
      ),
    );
    expect(direct.next.status).toBe('filed');
    expect(direct.timelineEntry.data).toMatchObject({ unverified: true, reason: '照片清晰，无需核实' });
    expect(decide(start, 'accept', systemActor, { reason: 'x' }, T0, testConfig)).toMatchObject({
      ok: false,
      reason: 'role',
    });

    const sent = expectOk(
      decide(start, 'verify-report', actors.operator, { inspectorId: 'u-inspector' }, T0, testConfig),
    );
    expect(sent.next).toMatchObject({ status: 'verifying', inspectorId: 'u-inspector' });
    expect(sent.next.deadlines['verify-report']?.dueAt).toEqual(plusMinutes(T0, 30));

    const confirmed = expectOk(
      decide(sent.next, 'confirm-report', actors.inspector, {}, plusMinutes(T0, 20), testConfig),
    );
    expect(confirmed.next).toMatchObject({ status: 'reported', verification: 'confirmed' });
    expect(confirmed.next.deadlines['verify-report']?.completedAt).toEqual(plusMinutes(T0, 20));
    // The filing clock restarts after the inspector's visit.
    expect(confirmed.next.deadlines.filing?.startedAt).toEqual(plusMinutes(T0, 20));
    expect(decide(confirmed.next, 'accept', actors.operator, {}, plusMinutes(T0, 25), testConfig).ok).toBe(
      true,
    );
  });

  it('a report the inspector cannot confirm is rejected, not filed', () => {
    const { c } = run(report('hotline').snapshot, T0, [
      ['verify-report', actors.operator, {}, 1],
      ['confirm-report', actors.inspector, { confirmed: false, note: 'nothing there' }, 20],
    ]);
    expect(c.verification).toBe('not-found');
    expect(decide(c, 'accept', actors.operator, {}, T0, testConfig)).toMatchObject({
      ok: false,
      reason: 'state',
    });
    const rejected = expectOk(
      decide(c, 'reject', actors.operator, { reason: 'not found on site' }, T0, testConfig),
    );
    expect(rejected.effects).toContainEqual({ type: 'rejected', voided: false });
  });

  it('machine loop: 自动识别、自动派单、人力处置、自动结案', () => {
    const start = report('iot', '01002').snapshot;
    const { c, decisions } = run(start, T0, [
      ['accept', systemActor, {}, 0],
      ['auto-dispatch', systemActor, { departmentCode: DEPT }, 0],
      ['accept-task', actors.handler, {}, 20],
      ['handle', actors.handler, { photos: ['cover.jpg'] }, 60],
      ['verify', systemActor, { passed: true, note: 'sensor back to normal' }, 1],
      ['close', systemActor, {}, 0],
    ]);
    expect(c).toMatchObject({ status: 'closed', closeType: 'normal' });
    expect(decisions[0]?.effects).toContainEqual({ type: 'filed', auto: true });
    expect(decisions[1]?.effects).toContainEqual(
      expect.objectContaining({ type: 'department-set', auto: true }),
    );
    // Manhole cover: on site within 30 natural minutes, made safe within 6 natural hours.
    expect(c.deadlines.response?.dueAt).toEqual(plusMinutes(T0, 30));
    expect(c.deadlines.response?.completedAt).toEqual(plusMinutes(T0, 20));
    expect(c.deadlines.handling?.dueAt).toEqual(plusMinutes(T0, 360));
  });

  it('the system does not file, dispatch or close what a person reported', () => {
    const start = report('inspector').snapshot;
    expect(decide(start, 'accept', systemActor, {}, T0, testConfig)).toMatchObject({
      ok: false,
      reason: 'role',
    });
    const filed = expectOk(decide(start, 'accept', actors.operator, {}, T0, testConfig)).next;
    expect(
      decide(filed, 'auto-dispatch', systemActor, { departmentCode: DEPT }, T0, testConfig),
    ).toMatchObject({
      ok: false,
      reason: 'role',
    });
    const enabled = { ...testConfig, autoDispatchCategories: ['06'] };
    expect(decide(filed, 'auto-dispatch', systemActor, { departmentCode: DEPT }, T0, enabled).ok).toBe(true);
  });
});

describe('filing corrections', () => {
  it('accept may correct category, urgency and area class; later clocks follow', () => {
    const start = report('inspector').snapshot;
    const a = expectOk(
      decide(
        start,
        'accept',
        actors.operator,
        { category: '06012', urgency: 'urgent', areaClass: 'A' },
        T0,
        testConfig,
      ),
    );
    expect(a.next).toMatchObject({ category: '06012', urgency: 'urgent', areaClass: 'A' });
    expect(a.effects).toEqual(
      expect.arrayContaining([
        { type: 'category-corrected', from: '06010', to: '06012' },
        { type: 'urgency-changed', from: 'normal', to: 'urgent' },
        { type: 'area-class-changed', from: 'B', to: 'A' },
      ]),
    );
    expect(a.timelineEntry.data).toEqual({ category: '06012', urgency: 'urgent' });
    expect(a.next.deadlines.dispatch?.dueAt).toEqual(plusMinutes(T0, 10)); // urgent dispatch
    const d = expectOk(
      decide(a.next, 'dispatch', actors.dispatcher, { departmentCode: DEPT }, T0, testConfig),
    );
    expect(d.next.deadlines.handling?.dueAt).toEqual(plusMinutes(T0, 240 + 60)); // 4 working hours + lunch
  });

  it('an unchanged correction records nothing', () => {
    const a = expectOk(
      decide(report('inspector').snapshot, 'accept', actors.operator, { urgency: 'normal' }, T0),
    );
    expect(types(a.effects)).not.toContain('urgency-changed');
  });
});
