import { describe, expect, it } from 'vitest';
import { assistProblems, jointFigures, openAssists } from './joint.ts';

const t = (h: number) => new Date(Date.UTC(2026, 11, 8, h));

describe('joint handling (联勤联动)', () => {
  it('lets the lead report handled only when every assistant has', () => {
    const assists = [
      { departmentCode: 'jj', dueAt: t(12), doneAt: t(10) },
      { departmentCode: 'sw', dueAt: t(12), doneAt: null },
    ];
    expect(openAssists(assists).map((a) => a.departmentCode)).toEqual(['sw']);
    expect(openAssists([assists[0]!])).toEqual([]);
  });

  it('adds assistants to a case with a department only, never the lead twice or one department twice', () => {
    const c = { status: 'dispatched', leadDepartment: 'szgl', assists: [{ departmentCode: 'jj' }] };
    expect(assistProblems({ departmentCode: 'sw', dueAt: t(12) }, c, t(9))).toEqual([]);
    expect(assistProblems({ departmentCode: 'szgl', dueAt: t(12) }, c, t(9))).toHaveLength(1);
    expect(assistProblems({ departmentCode: 'jj', dueAt: t(12) }, c, t(9))).toHaveLength(1);
    expect(assistProblems({ departmentCode: 'sw', dueAt: t(8) }, c, t(9))).toHaveLength(1);
    expect(
      assistProblems({ departmentCode: 'sw', dueAt: t(12) }, { ...c, status: 'reported' }, t(9)),
    ).toHaveLength(1);
  });

  it('counts a department as lead and as assistant', () => {
    const f = jointFigures(
      [
        {
          leadDepartment: 'szgl',
          handled: true,
          assists: [
            { departmentCode: 'jj', dueAt: t(12), doneAt: t(11) },
            { departmentCode: 'sw', dueAt: t(12), doneAt: t(13) },
          ],
        },
        {
          leadDepartment: 'jj',
          handled: false,
          assists: [{ departmentCode: 'szgl', dueAt: t(10), doneAt: null }],
        },
        { leadDepartment: 'sw', handled: true, assists: [] },
      ],
      t(14),
    );
    expect(f).toEqual([
      { departmentCode: 'jj', led: 1, ledHandled: 0, assisted: 1, onTime: 1, late: 0, open: 0, overdue: 0 },
      { departmentCode: 'sw', led: 0, ledHandled: 0, assisted: 1, onTime: 0, late: 1, open: 0, overdue: 0 },
      { departmentCode: 'szgl', led: 1, ledHandled: 1, assisted: 1, onTime: 0, late: 0, open: 1, overdue: 1 },
    ]);
  });
});
