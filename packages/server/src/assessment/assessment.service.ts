/**
 * Assessment use cases: counters from the repository, judged by the domain's formulas, ranked,
 * compared with another period; the cases behind a figure; empty-grid spot checks.
 */
import {
  type AspectCounters,
  type AspectId,
  type Assessed,
  type AssessedAreaLevel,
  type AssessmentConfig,
  type AssessmentLevel,
  assessArea,
  assessAspects,
  assessDepartment,
  assessDispatcher,
  assessedAreaLevels,
  assessInspector,
  assessOperator,
  assessShiftLead,
  defaultAssessmentConfig,
  gradeOf,
  gridFiledScore,
  rankByScore,
  round2,
} from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { assessmentRepository, type CaseRef, type Period } from './assessment.repository.ts';

export interface AssessmentRow {
  subject: string;
  name: string;
  counters: Record<string, number>;
  rates: Record<string, number | null>;
  parts: Record<string, number | null>;
  score: number | null;
  grade: string | null;
  rank: number | null;
  /** The four-aspect summary of an area (area levels only). */
  aspects?: AspectsFigure | null;
}
export interface AspectsFigure {
  aspects: Record<AspectId, number | null>;
  indicators: Record<string, number | null>;
  score: number | null;
  grade: string | null;
}
type Figures = Omit<AssessmentRow, 'subject' | 'name'>;
interface Delta {
  score: number | null;
  /** Places moved up (previous rank − rank); null when either is unranked. */
  rank: number | null;
  rates: Record<string, number | null>;
  aspects?: Record<string, number | null>;
}
export interface ComparedRow extends AssessmentRow {
  /** The comparison period (`compare=previous|lastYear`; the previous period with `both`). */
  previous?: Figures | null;
  delta?: Delta | null;
  /** The same period a year earlier (`compare=both`). */
  lastYear?: Figures | null;
  lastYearDelta?: Delta | null;
}
export type Compare = 'previous' | 'lastYear' | 'both';
export interface AssessmentReport {
  level: AssessmentLevel;
  from: string;
  to: string;
  scope: string;
  compare: Compare | null;
  previousFrom: string | null;
  previousTo: string | null;
  lastYearFrom: string | null;
  lastYearTo: string | null;
  /** The four aspects over all rows of an area level (null for people and departments). */
  summary: (AspectsFigure & { previous: AspectsFigure | null; lastYear: AspectsFigure | null }) | null;
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
  'verifyDue',
  'verifyOnTime',
  'checkDue',
  'checkOnTime',
  'filingDue',
  'filedOnTime',
  'voided',
  'dispatchDue',
  'dispatchedOnTime',
  'handled',
  'handledOnTime',
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
  // A calendar month compares with the calendar month before (Feb after Jan is shorter).
  if (compare === 'previous' && isWholeMonths(p)) {
    const shift = (d: Date, months: number) => {
      const x = new Date(d.getTime() + shanghai);
      x.setUTCMonth(x.getUTCMonth() - months);
      return new Date(x.getTime() - shanghai);
    };
    const months = monthsBetween(p);
    return { from: shift(p.from, months), to: new Date(p.from) };
  }
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

const shanghai = 8 * 3_600_000;
/** Whole calendar months in Shanghai time (a month, a quarter, a year…), or 0. */
function monthsBetween(p: Period): number {
  const a = new Date(p.from.getTime() + shanghai);
  const b = new Date(p.to.getTime() + shanghai);
  return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
}
function isWholeMonths(p: Period): boolean {
  const midnightFirst = (d: Date) => {
    const x = new Date(d.getTime() + shanghai);
    return (
      x.getUTCDate() === 1 && x.getUTCHours() === 0 && x.getUTCMinutes() === 0 && x.getUTCSeconds() === 0
    );
  };
  return midnightFirst(p.from) && midnightFirst(p.to) && monthsBetween(p) > 0;
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

  const aspectsOf = (c: Record<string, number>, filedScores: readonly number[]): AspectsFigure => {
    const counters = Object.fromEntries(
      areaCounterNames.map((k) => [k, c[k] ?? 0]),
    ) as unknown as AspectCounters;
    const filedCount = filedScores.length
      ? filedScores.reduce((a, b) => a + b, 0) / filedScores.length
      : null;
    const a = assessAspects(counters, filedCount, config.aspects, (x) => gradeOf(x, config));
    return { aspects: { ...a.aspects }, indicators: { ...a.indicators }, score: a.score, grade: a.grade };
  };

  async function figures(
    level: AssessmentLevel,
    p: Period,
    scope: string,
  ): Promise<{ rows: AssessmentRow[]; summary: AspectsFigure | null }> {
    const now = clock();
    const out: Omit<AssessmentRow, 'rank' | 'name'>[] = [];
    let summary: AspectsFigure | null = null;
    if ((assessedAreaLevels as readonly string[]).includes(level)) {
      const areaLevel = level as AssessedAreaLevel;
      const [{ counts, gridFiled }, grids] = await Promise.all([
        repo.countAreas(areaLevel, p, scope, now),
        repo.grids(scope),
      ]);
      const keyOf = (r: {
        grid: string | null;
        community: string | null;
        street: string | null;
        district: string;
      }) => (areaLevel === 'grid' ? r.grid : r[areaLevel]);
      const acc = new Map<string, Record<string, number>>();
      for (const [key, c] of counts) {
        const a = zero(areaCounterNames);
        for (const [k, v] of Object.entries(c)) a[k] = (a[k] ?? 0) + v;
        acc.set(key, a);
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
      const total: Record<string, number> = zero(areaCounterNames);
      for (const [subject, c] of acc) {
        c.dueToClose = (c.closed ?? 0) + (c.openOverdue ?? 0);
        const scores = scoresOf.get(subject) ?? [];
        const a = judge(level, subject, c, scores);
        out.push({ subject, counters: c, ...plain(a), aspects: aspectsOf(c, scores) });
        for (const k of areaCounterNames) total[k] = (total[k] ?? 0) + (c[k] ?? 0);
      }
      summary = aspectsOf(total, [...scoresOf.values()].flat());
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
    const rows = rankByScore(out.map((r) => ({ ...r, name: names.get(r.subject) ?? r.subject }))).sort(
      (a, b) =>
        (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER) ||
        a.subject.localeCompare(b.subject),
    );
    return { rows, summary };
  }

  /** The other period's figures of each row, and the differences. */
  async function against(level: AssessmentLevel, rows: ComparedRow[], other: Period, scope: string) {
    const f = await figures(level, other, scope);
    const before = new Map(f.rows.map((r) => [r.subject, r]));
    const pairs = rows.map((r) => {
      const b = before.get(r.subject);
      if (!b) return { previous: null, delta: null };
      const previous: Figures = {
        counters: b.counters,
        rates: b.rates,
        parts: b.parts,
        score: b.score,
        grade: b.grade,
        rank: b.rank,
        ...(b.aspects ? { aspects: b.aspects } : {}),
      };
      const diff = (x: number | null | undefined, y: number | null | undefined) =>
        x !== null && x !== undefined && y !== null && y !== undefined ? round2(x - y) : null;
      const delta: Delta = {
        // No data on either side is no comparison (a null score: see assessArea).
        score: diff(r.score, b.score),
        rank: r.rank !== null && b.rank !== null ? b.rank - r.rank : null,
        rates: Object.fromEntries(
          Object.entries(r.rates).map(([k, v]) => {
            const w = b.rates[k];
            return [k, v !== null && w !== null && w !== undefined ? round4(v - w) : null];
          }),
        ),
        ...(r.aspects && b.aspects
          ? {
              aspects: Object.fromEntries(
                Object.entries(r.aspects.aspects).map(([k, v]) => [
                  k,
                  diff(v, b.aspects?.aspects[k as AspectId]),
                ]),
              ),
            }
          : {}),
      };
      return { previous, delta };
    });
    return { pairs, summary: f.summary };
  }

  async function assess(q: {
    level: AssessmentLevel;
    period: Period;
    scope: string;
    compare?: Compare;
  }): Promise<AssessmentReport> {
    checkPeriod(q.period);
    const now = await figures(q.level, q.period, q.scope);
    const rows: ComparedRow[] = now.rows;
    const prev = q.compare ? comparisonPeriod(q.period, q.compare === 'both' ? 'previous' : q.compare) : null;
    const year = q.compare === 'both' ? comparisonPeriod(q.period, 'lastYear') : null;
    const [p, y] = await Promise.all([
      prev ? against(q.level, rows, prev, q.scope) : null,
      year ? against(q.level, rows, year, q.scope) : null,
    ]);
    rows.forEach((r, i) => {
      if (p) Object.assign(r, p.pairs[i]);
      const ly = y?.pairs[i];
      if (ly) {
        r.lastYear = ly.previous;
        r.lastYearDelta = ly.delta;
      }
    });
    return {
      level: q.level,
      from: q.period.from.toISOString(),
      to: q.period.to.toISOString(),
      scope: q.scope,
      compare: q.compare ?? null,
      previousFrom: prev?.from.toISOString() ?? null,
      previousTo: prev?.to.toISOString() ?? null,
      lastYearFrom: year?.from.toISOString() ?? null,
      lastYearTo: year?.to.toISOString() ?? null,
      summary: now.summary
        ? {
            ...now.summary,
            previous: p?.summary ?? null,
            lastYear: (y ?? (q.compare === 'lastYear' ? p : null))?.summary ?? null,
          }
        : null,
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
