import { describe, expect, it } from 'vitest';
import { nextReport, reportProblem, reportTo } from './levels.ts';
import { type AlarmFact, matchPlans, type PlanDefinition, planProblems, sopTasks } from './plans.ts';

const now = new Date('2026-12-08T02:00:00Z');
const ago = (m: number) => new Date(now.getTime() - m * 60_000);

const flood: PlanDefinition = {
  id: 7,
  code: 'flood',
  name: '防汛防台专项应急预案',
  incidentType: 'flood',
  areaCode: '3101',
  level: 4,
  active: true,
  triggers: [
    { kind: 'alarms', deviceType: 'water-depth', minDevices: 3, withinMinutes: 30, per: 'street' },
    {
      kind: 'alarms',
      deviceType: 'water-depth',
      minDevices: 5,
      withinMinutes: 30,
      per: 'district',
      level: 3,
    },
    { kind: 'cases', categories: ['0105'], minCases: 4, withinMinutes: 60, per: 'street' },
    { kind: 'vital', indicator: 'rainfall', atLeast: 'orange', level: 3 },
  ],
  steps: [
    { title: '启动排水泵站', departmentCode: '310101-szgl', limitMinutes: 30 },
    { title: '设置积水路段警戒', departmentCode: null, limitMinutes: 60 },
  ],
};

const alarm = (
  id: number,
  device: string,
  grid: string,
  minutesAgo: number,
  extra: Partial<AlarmFact> = {},
): AlarmFact => ({
  id,
  deviceId: device,
  deviceType: 'water-depth',
  areaCode: grid,
  raisedAt: ago(minutesAgo),
  cleared: false,
  ...extra,
});

describe('plan triggers', () => {
  it('proposes the flood plan at level IV for three water sensors alarming in one street within 30 minutes', () => {
    const alarms = [
      alarm(1, 'w1', '310101002001001', 25),
      alarm(2, 'w2', '310101002001002', 10),
      alarm(3, 'w3', '310101002001003', 1),
      // Same device again, another street, too old, cleared, another kind: none count.
      alarm(4, 'w3', '310101002001004', 2),
      alarm(5, 'w9', '310104001001001', 2),
      alarm(6, 'w4', '310101002001001', 31),
      alarm(7, 'w5', '310101002001001', 3, { cleared: true }),
      alarm(8, 's1', '310101002001001', 3, { deviceType: 'smoke' }),
    ];
    const p = matchPlans([flood], { alarms, vitals: [], cases: [] }, now);
    expect(p).toEqual([
      {
        planId: 7,
        areaCode: '310101002',
        level: 4,
        alarmIds: [1, 2, 3, 4],
        caseIds: [],
        reason: expect.objectContaining({ zh: expect.stringContaining('3 个') }),
      },
    ]);
    // Two sensors are not enough.
    expect(matchPlans([flood], { alarms: alarms.slice(0, 2), vitals: [], cases: [] }, now)).toEqual([]);
    // An inactive plan, or one whose area does not cover the street, proposes nothing.
    expect(matchPlans([{ ...flood, active: false }], { alarms, vitals: [], cases: [] }, now)).toEqual([]);
    expect(matchPlans([{ ...flood, areaCode: '310104' }], { alarms, vitals: [], cases: [] }, now)).toEqual(
      [],
    );
  });

  it('takes the most serious level of the triggers that fire, and merges what made them', () => {
    const alarms = [1, 2, 3, 4, 5].map((i) => alarm(i, `w${i}`, `31010100200100${i % 4}`, i));
    const cases = [1, 2, 3, 4].map((i) => ({
      id: 100 + i,
      category: '010502',
      areaCode: '310101002001001',
      reportedAt: ago(i),
    }));
    const p = matchPlans([flood], { alarms, vitals: [], cases }, now);
    expect(p.map((x) => [x.areaCode, x.level])).toEqual([
      ['310101002', 4],
      ['310101', 3],
    ]);
    expect(p[0]!.caseIds).toEqual([101, 102, 103, 104]);
    const v = matchPlans(
      [flood],
      { alarms: [], vitals: [{ indicator: 'rainfall', areaCode: '310101', level: 'red' }], cases: [] },
      now,
    );
    expect(v[0]).toMatchObject({ areaCode: '310101', level: 3 });
    expect(
      matchPlans(
        [flood],
        { alarms: [], vitals: [{ indicator: 'rainfall', areaCode: '310101', level: 'yellow' }], cases: [] },
        now,
      ),
    ).toEqual([]);
  });

  it('does not propose a plan again while an incident of it is open in an overlapping area', () => {
    const alarms = [1, 2, 3].map((i) => alarm(i, `w${i}`, '310101002001001', i));
    expect(
      matchPlans([flood], { alarms, vitals: [], cases: [] }, now, [{ planId: 7, areaCode: '310101002' }]),
    ).toEqual([]);
    expect(
      matchPlans([flood], { alarms, vitals: [], cases: [] }, now, [{ planId: 7, areaCode: '310101' }]),
    ).toEqual([]);
    expect(
      matchPlans([flood], { alarms, vitals: [], cases: [] }, now, [{ planId: 8, areaCode: '310101002' }]),
    ).toHaveLength(1);
    expect(
      matchPlans([flood], { alarms, vitals: [], cases: [] }, now, [{ planId: 7, areaCode: '310104001' }]),
    ).toHaveLength(1);
  });

  it('turns the SOP into tasks due after activation, and checks plans as entered', () => {
    expect(sopTasks(flood.steps, now)).toEqual([
      {
        stepNo: 1,
        title: '启动排水泵站',
        departmentCode: '310101-szgl',
        dueAt: new Date('2026-12-08T02:30:00Z'),
      },
      { stepNo: 2, title: '设置积水路段警戒', departmentCode: null, dueAt: new Date('2026-12-08T03:00:00Z') },
    ]);
    expect(planProblems(flood)).toEqual([]);
    expect(planProblems({ ...flood, triggers: [], steps: [] })).toHaveLength(2);
  });
});

describe('information reports', () => {
  const activatedAt = ago(60);
  it('asks for the first report, then follow-ups, then the final report after stand-down', () => {
    expect(nextReport({ level: 4, activatedAt: null, stoodDownAt: null, sent: [] })).toBeUndefined();
    expect(nextReport({ level: 4, activatedAt, stoodDownAt: null, sent: [] })).toEqual({
      kind: 'first',
      dueAt: new Date(activatedAt.getTime() + 120 * 60_000),
    });
    expect(nextReport({ level: 2, activatedAt, stoodDownAt: null, sent: [] })?.dueAt).toEqual(ago(30));
    const sent = [
      { kind: 'first' as const, sentAt: ago(50) },
      { kind: 'update' as const, sentAt: ago(10) },
    ];
    expect(nextReport({ level: 3, activatedAt, stoodDownAt: null, sent })).toEqual({
      kind: 'update',
      dueAt: new Date(ago(10).getTime() + 120 * 60_000),
    });
    expect(nextReport({ level: 3, activatedAt, stoodDownAt: now, sent })?.kind).toBe('final');
    expect(
      nextReport({
        level: 3,
        activatedAt,
        stoodDownAt: now,
        sent: [...sent, { kind: 'final', sentAt: now }],
      }),
    ).toBeUndefined();
  });

  it('sends reports in order, up to the district for level IV and to the city for III and above', () => {
    expect(reportProblem('update', { status: 'active', sent: [] })).toMatch(/first/);
    expect(reportProblem('first', { status: 'active', sent: [] })).toBeUndefined();
    expect(reportProblem('final', { status: 'active', sent: [{ kind: 'first', sentAt: now }] })).toMatch(
      /stand-down/,
    );
    expect(reportProblem('first', { status: 'proposed', sent: [] })).toMatch(/activated/);
    expect(reportTo('310101002', 4)).toBe('310101');
    expect(reportTo('310101002', 3)).toBe('3101');
    expect(reportTo('310101', 4)).toBe('3101');
  });
});
