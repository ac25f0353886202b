/**
 * 联勤联动: joint handling. A case keeps its one lead department (the one dispatched to, who
 * reports it handled through the case machine); the command centre may add assisting departments,
 * each with its own task, deadline and feedback. The lead's "handled" waits until every assistant
 * has reported; assessment counts a department in both roles.
 */

/** Statuses in which assistants may be added (the case is with a department). */
export const jointStatuses = ['dispatched', 'handling'] as const;

export interface Assist {
  departmentCode: string;
  dueAt: Date;
  doneAt: Date | null;
}

/** The assistants that have not reported yet: the lead's 处置反馈 waits for them. */
export function openAssists<A extends Assist>(assists: readonly A[]): A[] {
  return assists.filter((a) => a.doneAt === null);
}

/** Problems with an assist as asked for (empty when fine). */
export function assistProblems(
  a: { departmentCode: string; dueAt: Date },
  c: { status: string; leadDepartment: string | null; assists: readonly Pick<Assist, 'departmentCode'>[] },
  now: Date,
): string[] {
  const p: string[] = [];
  if (!(jointStatuses as readonly string[]).includes(c.status)) {
    p.push(`assistants join a case with a department (dispatched or handling), not a ${c.status} one`);
  }
  if (a.departmentCode === c.leadDepartment) p.push('the lead department cannot also assist');
  if (c.assists.some((x) => x.departmentCode === a.departmentCode))
    p.push(`${a.departmentCode} already assists`);
  if (Number.isNaN(a.dueAt.getTime()) || a.dueAt <= now) p.push('the deadline must be in the future');
  return p;
}

export interface JointFigures {
  departmentCode: string;
  /** Joint cases it led, and of those handled (lead reported after every assistant). */
  led: number;
  ledHandled: number;
  /** Assists given: reported on time, late, still open (overdue among them). */
  assisted: number;
  onTime: number;
  late: number;
  open: number;
  overdue: number;
}

/** Both roles per department, from joint cases and their assists, at `now`. */
export function jointFigures(
  cases: readonly { leadDepartment: string | null; handled: boolean; assists: readonly Assist[] }[],
  now: Date,
): JointFigures[] {
  const by = new Map<string, JointFigures>();
  const of = (code: string) => {
    let f = by.get(code);
    if (!f) {
      f = {
        departmentCode: code,
        led: 0,
        ledHandled: 0,
        assisted: 0,
        onTime: 0,
        late: 0,
        open: 0,
        overdue: 0,
      };
      by.set(code, f);
    }
    return f;
  };
  for (const c of cases) {
    if (c.assists.length === 0) continue;
    if (c.leadDepartment) {
      const f = of(c.leadDepartment);
      f.led++;
      if (c.handled) f.ledHandled++;
    }
    for (const a of c.assists) {
      const f = of(a.departmentCode);
      f.assisted++;
      if (a.doneAt === null) {
        f.open++;
        if (a.dueAt < now) f.overdue++;
      } else if (a.doneAt <= a.dueAt) f.onTime++;
      else f.late++;
    }
  }
  return [...by.values()].sort((a, b) => a.departmentCode.localeCompare(b.departmentCode));
}
