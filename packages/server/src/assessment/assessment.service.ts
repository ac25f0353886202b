/**
 * Assessment use cases: counters from the repository, judged by the domain's formulas, ranked,
 * compared with another period; the cases behind a figure; empty-grid spot checks.
 */
import {
  type Assessed,
  type AssessedAreaLevel,
  type AssessmentConfig,
  type AssessmentLevel,
  assessArea,
  assessDepartment,
  assessDispatcher,
  assessedAreaLevels,
  assessInspector,
  assessOperator,
  assessShiftLead,
  defaultAssessmentConfig,
  gridFiledScore,
  rankByScore,
  round2,
} from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import {
  type AreaCountRow,
  assessmentRepository,
  type CaseRef,
  type Period,
} from './assessment.repository.ts';

export interface AssessmentRow {
  subject: string;
  name: string;
  counters: Record<string, number>;
  rates: Record<string, number | null>;
  parts: Record<string, number | null>;
  score: number | null;
  grade: string | null;
  rank: number | null;
}
export interface ComparedRow extends AssessmentRow {
  previous?: Omit<AssessmentRow, 'subject' | 'name'> | null;
  delta?: { score: number | null; rates: Record<string, number | null> } | null;
}
export interface AssessmentReport {
  level: AssessmentLevel;
  from: string;
  to: string;
  scope: string;
  compare: 'previous' | 'lastYear' | null;
  previousFrom: string | null;
  previousTo: string | null;
  rows: ComparedRow[];
}

const zero = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, 0]));
const peopleCounters: Record<string, readonly string[]> = {
  inspector: ['reported', 'filed', 'missed', 'verifyDue', 'verifyOnTime', 'checkDue', 'checkOnTime'],
  operator: [
    'volume',
    'verifyDispatched',
    'verifyDispatchedOnTime',
    'checkDispatched',
    'checkDispatchedOnTime',
  ],
  shiftLead: ['filed', 'filingDue', 'filedOnTime', 'voided', 'closed', 'closedOnTime'],
  dispatcher: ['dispatched', 'dispatchDue', 'dispatchedOnTime', 'returned'],
  department: [
    'cases',
    'closed',
    'handled',
    'handledOnTime',
    'reworks',
    'openOverdue',
    'dueToClose',
    'dueToHandle',
  ],
};
export const areaCounterNames = [
  'reported',
  'filed',
  'publicConfirmed',
  'dispatched',
  'closed',
  'closedOnTime',
  'openOverdue',
  'dueToClose',
  'selfHandled',
  'rejected',
  'returns',
  'reworks',
  'extensions',
  'suspensions',
] as const;

export function countersOf(level: AssessmentLevel): readonly string[] {
  return peopleCounters[level] ?? areaCounterNames;
}

export interface AssessmentDeps {
  db: Db;
  clock: () => Date;
  config?: AssessmentConfig;
}

/** The previous period of the same length, or the same period a year earlier. */
export function comparisonPeriod(p: Period, compare: 'previous' | 'lastYear'): Period {
  if (compare === 'previous') {
    const ms = p.to.getTime() - p.from.getTime();
    return { from: new Date(p.from.getTime() - ms), to: new Date(p.from) };
  }
  const back = (d: Date) => {
    const x = new Date(d);
    x.setUTCFullYear(x.getUTCFullYear() - 1);
    return x;
  };
  return { from: back(p.from), to: back(p.to) };
}

export function assessmentService({ db, clock, config = defaultAssessmentConfig }: AssessmentDeps) {
  const repo = assessmentRepository(db);

  function judge(
    level: AssessmentLevel,
    subject: string,
    c: Record<string, number>,
    gridScores: number[],
  ): Assessed {
    const n = (k: string) => c[k] ?? 0;
    switch (level) {
      case 'inspector':
        return assessInspector(
          {
            reported: n('reported'),
            filed: n('filed'),
            missed: n('missed'),
            verifyDue: n('verifyDue'),
            verifyOnTime: n('verifyOnTime'),
            checkDue: n('checkDue'),
            checkOnTime: n('checkOnTime'),
          },
          config,
        );
      case 'operator':
        return assessOperator(
          {
            volume: n('volume'),
            verifyDispatched: n('verifyDispatched'),
            verifyDispatchedOnTime: n('verifyDispatchedOnTime'),
            checkDispatched: n('checkDispatched'),
            checkDispatchedOnTime: n('checkDispatchedOnTime'),
          },
          config,
        );
      case 'shiftLead':
        return assessShiftLead(
          {
            filed: n('filed'),
            filingDue: n('filingDue'),
            filedOnTime: n('filedOnTime'),
            voided: n('voided'),
            closed: n('closed'),
            closedOnTime: n('closedOnTime'),
          },
          config,
        );
      case 'dispatcher':
        return assessDispatcher(
          {
            dispatched: n('dispatched'),
            dispatchDue: n('dispatchDue'),
            dispatchedOnTime: n('dispatchedOnTime'),
            returned: n('returned'),
          },
          config,
        );
      case 'department':
        return assessDepartment(
          subject,
          {
            cases: n('cases'),
            dueToClose: n('dueToClose'),
            closed: n('closed'),
            dueToHandle: n('dueToHandle'),
            handledOnTime: n('handledOnTime'),
            reworks: n('reworks'),
          },
          config,
        );
      default:
        return assessArea(
          {
            filed: n('filed'),
            publicConfirmed: n('publicConfirmed'),
            dueToClose: n('dueToClose'),
            closed: n('closed'),
            closedOnTime: n('closedOnTime'),
          },
          gridScores,
          config,
        );
    }
  }

  async function figures(level: AssessmentLevel, p: Period, scope: string): Promise<AssessmentRow[]> {
    const now = clock();
    const out: Omit<AssessmentRow, 'rank' | 'name'>[] = [];
    if ((assessedAreaLevels as readonly string[]).includes(level)) {
      const areaLevel = level as AssessedAreaLevel;
      const [rows, grids] = await Promise.all([repo.countAreas(p, scope, now), repo.grids(scope)]);
      const keyOf = (r: {
        grid: string | null;
        community: string | null;
        street: string | null;
        district: string;
      }) => (areaLevel === 'grid' ? r.grid : r[areaLevel]);
      const acc = new Map<string, Record<string, number>>();
      const gridFiled = new Map<string, number>();
      const add = (key: string, counts: Record<string, number>) => {
        const a = acc.get(key) ?? zero(areaCounterNames);
        for (const [k, v] of Object.entries(counts)) a[k] = (a[k] ?? 0) + v;
        acc.set(key, a);
      };
      for (const r of rows as AreaCountRow[]) {
        if (r.grid) gridFiled.set(r.grid, (gridFiled.get(r.grid) ?? 0) + (r.counts.filed ?? 0));
        const key = keyOf(r);
        if (key) add(key, r.counts);
      }
      // Every area in scope is assessed, the quiet ones too.
      const subjects = areaLevel === 'grid' ? grids.map((g) => g.code) : await repo.areasAt(areaLevel, scope);
      for (const s of subjects) if (!acc.has(s)) acc.set(s, zero(areaCounterNames));
      const scoresOf = new Map<string, number[]>();
      for (const g of grids) {
        const key = keyOf({ grid: g.code, community: g.community, street: g.street, district: g.district });
        if (!key) continue;
        const list = scoresOf.get(key) ?? [];
        list.push(gridFiledScore(gridFiled.get(g.code) ?? 0, g.areaClass, config));
        scoresOf.set(key, list);
      }
      for (const [subject, c] of acc) {
        c.dueToClose = (c.closed ?? 0) + (c.openOverdue ?? 0);
        const a = judge(level, subject, c, scoresOf.get(subject) ?? []);
        out.push({ subject, counters: c, ...plain(a) });
      }
    } else {
      const counts = await repo.countPeople(level, p, scope, now, config.verifyDispatchMinutes);
      for (const [subject, raw] of counts) {
        const c = { ...zero(countersOf(level)), ...raw };
        if (level === 'department') {
          c.dueToClose = (c.closed ?? 0) + (c.openOverdue ?? 0);
          c.dueToHandle = (c.handled ?? 0) + (c.openOverdue ?? 0);
        }
        out.push({ subject, counters: c, ...plain(judge(level, subject, c, [])) });
      }
    }
    const names = await repo.names(
      level,
      out.map((r) => r.subject),
    );
    return rankByScore(out.map((r) => ({ ...r, name: names.get(r.subject) ?? r.subject }))).sort(
      (a, b) =>
        (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER) ||
        a.subject.localeCompare(b.subject),
    );
  }

  async function assess(q: {
    level: AssessmentLevel;
    period: Period;
    scope: string;
    compare?: 'previous' | 'lastYear';
  }): Promise<AssessmentReport> {
    checkPeriod(q.period);
    const rows: ComparedRow[] = await figures(q.level, q.period, q.scope);
    let prev: Period | null = null;
    if (q.compare) {
      prev = comparisonPeriod(q.period, q.compare);
      const before = new Map((await figures(q.level, prev, q.scope)).map((r) => [r.subject, r]));
      for (const r of rows) {
        const b = before.get(r.subject);
        r.previous = b
          ? {
              counters: b.counters,
              rates: b.rates,
              parts: b.parts,
              score: b.score,
              grade: b.grade,
              rank: b.rank,
            }
          : null;
        r.delta = b
          ? {
              score: r.score !== null && b.score !== null ? round2(r.score - b.score) : null,
              rates: Object.fromEntries(
                Object.entries(r.rates).map(([k, v]) => {
                  const w = b.rates[k];
                  return [k, v !== null && w !== null && w !== undefined ? round4(v - w) : null];
                }),
              ),
            }
          : null;
      }
    }
    return {
      level: q.level,
      from: q.period.from.toISOString(),
      to: q.period.to.toISOString(),
      scope: q.scope,
      compare: q.compare ?? null,
      previousFrom: prev?.from.toISOString() ?? null,
      previousTo: prev?.to.toISOString() ?? null,
      rows,
    };
  }

  async function casesBehind(q: {
    level: AssessmentLevel;
    period: Period;
    scope: string;
    subject: string;
    indicator: string;
  }): Promise<CaseRef[]> {
    checkPeriod(q.period);
    const found = await repo.casesBehind(
      q.level,
      q.indicator,
      q.subject,
      q.period,
      q.scope,
      clock(),
      config.verifyDispatchMinutes,
    );
    if (!found)
      throw new AppError('validation_failed', `No indicator ${q.indicator} for level ${q.level}`, {
        field: 'indicator',
        allowed: countersOf(q.level),
      });
    return found;
  }

  return { assess, casesBehind, config };
}
export type AssessmentService = ReturnType<typeof assessmentService>;

function plain(a: Assessed) {
  return { rates: { ...a.rates }, parts: { ...a.parts }, score: a.score, grade: a.grade };
}
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

function checkPeriod(p: Period) {
  if (!(p.from < p.to)) throw new AppError('validation_failed', 'from must be before to', { field: 'from' });
  if (p.to.getTime() - p.from.getTime() > 3 * 366 * 86_400_000)
    throw new AppError('validation_failed', 'A period is at most three years', { field: 'to' });
}
