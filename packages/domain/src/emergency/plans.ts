/**
 * 应急预案 as data: trigger conditions over alarms, vital signs and case categories, matched by a
 * pure function (`matchPlans`) over the facts of the last minutes; and the SOP — steps with a
 * responsible department and a time limit — that becomes tasks when a leader activates the plan.
 */
import { areaCodeLength, inScope } from '../areas.ts';
import { type VitalLevel, vitalLevels } from '../vitals/types.ts';
import { type IncidentLevel, type IncidentType, incidentLevelNames, isIncidentLevel } from './levels.ts';

/** The area a trigger counts in: facts are grouped by the street, district or city they fall in. */
export const triggerScopes = ['street', 'district', 'city'] as const;
export type TriggerScope = (typeof triggerScopes)[number];

export type PlanTrigger =
  | {
      kind: 'alarms';
      /** Device type of the alarming devices (`water-depth` for standing water); any when absent. */
      deviceType?: string;
      /** At least this many distinct devices with an active alarm raised within the window … */
      minDevices: number;
      withinMinutes: number;
      /** … in one street (district, city). */
      per: TriggerScope;
      /** The level this trigger proposes (default: the plan's). */
      level?: IncidentLevel;
    }
  | {
      kind: 'vital';
      /** A vital-sign indicator code. */
      indicator: string;
      /** At this level or worse (yellow < orange < red). */
      atLeast: Exclude<VitalLevel, 'green'>;
      level?: IncidentLevel;
    }
  | {
      kind: 'cases';
      /** Category codes or prefixes (`0105` 积水, `01` 公用设施 …). */
      categories: string[];
      minCases: number;
      withinMinutes: number;
      per: TriggerScope;
      level?: IncidentLevel;
    };

export interface PlanStep {
  title: string;
  /** The responsible department's code; null: the duty platform itself (值班室). */
  departmentCode: string | null;
  /** Minutes after activation by which the step must be done. */
  limitMinutes: number;
}

export interface PlanDefinition {
  id: number;
  code: string;
  name: string;
  incidentType: IncidentType;
  /** The area the plan covers (a city plan covers every street of it). */
  areaCode: string;
  /** The level proposed when a trigger names none. */
  level: IncidentLevel;
  triggers: PlanTrigger[];
  steps: PlanStep[];
  active: boolean;
}

export interface AlarmFact {
  id: number;
  deviceId: string;
  deviceType: string;
  /** The device's unit grid (or any area code). */
  areaCode: string | null;
  raisedAt: Date;
  cleared: boolean;
}
export interface VitalFact {
  indicator: string;
  areaCode: string;
  level: VitalLevel | null;
}
export interface CaseFact {
  id: number;
  category: string;
  areaCode: string | null;
  reportedAt: Date;
}
export interface PlanFacts {
  alarms: readonly AlarmFact[];
  vitals: readonly VitalFact[];
  cases: readonly CaseFact[];
  /** Device type id → its Chinese name, for the reason (积水监测 rather than water-depth). */
  deviceTypeNames?: Readonly<Record<string, string>>;
}

export interface PlanProposal {
  planId: number;
  areaCode: string;
  level: IncidentLevel;
  alarmIds: number[];
  caseIds: number[];
  /** Why, in both languages (area codes; the server names them). */
  reason: { zh: string; en: string };
}

/** An incident still open (proposed or active) for a plan: it suppresses a second proposal. */
export interface OpenIncident {
  planId: number | null;
  areaCode: string;
}

const scopeLength: Record<TriggerScope, number> = {
  street: areaCodeLength.street,
  district: areaCodeLength.district,
  city: areaCodeLength.city,
};

function group<T>(facts: readonly T[], code: (f: T) => string | null, per: TriggerScope): Map<string, T[]> {
  const out = new Map<string, T[]>();
  const n = scopeLength[per];
  for (const f of facts) {
    const c = code(f);
    if (!c || c.length < n) continue;
    const k = c.slice(0, n);
    const list = out.get(k);
    if (list) list.push(f);
    else out.set(k, [f]);
  }
  return out;
}

const worse = (level: VitalLevel | null, atLeast: VitalLevel) =>
  level !== null && vitalLevels.indexOf(level) >= vitalLevels.indexOf(atLeast);

/**
 * Which plans the facts trigger, per area: one proposal per (plan, area), at the most serious
 * level any of its triggers gives, with the alarms and cases that made it. A plan with an open
 * incident in an overlapping area (the same area, one inside it or one containing it) is not
 * proposed again. Pure: the server gathers the facts and opens the incidents.
 */
export function matchPlans(
  plans: readonly PlanDefinition[],
  facts: PlanFacts,
  now: Date,
  open: readonly OpenIncident[] = [],
): PlanProposal[] {
  const out = new Map<string, PlanProposal>();
  const add = (
    plan: PlanDefinition,
    areaCode: string,
    t: PlanTrigger,
    p: Omit<PlanProposal, 'planId' | 'areaCode' | 'level'>,
  ) => {
    if (!inScope(plan.areaCode, areaCode)) return;
    if (
      open.some(
        (o) => o.planId === plan.id && (inScope(o.areaCode, areaCode) || inScope(areaCode, o.areaCode)),
      )
    ) {
      return;
    }
    const level = t.level ?? plan.level;
    const key = `${plan.id}:${areaCode}`;
    const was = out.get(key);
    if (!was) {
      out.set(key, { planId: plan.id, areaCode, level, ...p });
      return;
    }
    was.level = Math.min(was.level, level) as IncidentLevel;
    was.alarmIds = [...new Set([...was.alarmIds, ...p.alarmIds])].sort((a, b) => a - b);
    was.caseIds = [...new Set([...was.caseIds, ...p.caseIds])].sort((a, b) => a - b);
    was.reason = { zh: `${was.reason.zh}；${p.reason.zh}`, en: `${was.reason.en}; ${p.reason.en}` };
  };
  for (const plan of plans) {
    if (!plan.active) continue;
    for (const t of plan.triggers) {
      if (t.kind === 'alarms') {
        const since = now.getTime() - t.withinMinutes * 60_000;
        const recent = facts.alarms.filter(
          (a) =>
            !a.cleared &&
            a.raisedAt.getTime() >= since &&
            a.raisedAt.getTime() <= now.getTime() &&
            (t.deviceType === undefined || a.deviceType === t.deviceType),
        );
        for (const [area, list] of group(recent, (a) => a.areaCode, t.per)) {
          const devices = new Set(list.map((a) => a.deviceId));
          if (devices.size < t.minDevices) continue;
          add(plan, area, t, {
            alarmIds: list.map((a) => a.id).sort((a, b) => a - b),
            caseIds: [],
            reason: {
              zh: `${t.withinMinutes} 分钟内 ${devices.size} 个${t.deviceType ? (facts.deviceTypeNames?.[t.deviceType] ?? t.deviceType) : ''}设备报警（阈值 ${t.minDevices}）`,
              en: `${devices.size} ${t.deviceType ?? ''} devices alarming within ${t.withinMinutes} min (threshold ${t.minDevices})`,
            },
          });
        }
      } else if (t.kind === 'vital') {
        for (const v of facts.vitals) {
          if (v.indicator !== t.indicator || !worse(v.level, t.atLeast)) continue;
          add(plan, v.areaCode, t, {
            alarmIds: [],
            caseIds: [],
            reason: {
              zh: `生命体征「${t.indicator}」达到 ${v.level} 级`,
              en: `vital sign ${t.indicator} at ${v.level}`,
            },
          });
        }
      } else {
        const since = now.getTime() - t.withinMinutes * 60_000;
        const recent = facts.cases.filter(
          (c) =>
            c.reportedAt.getTime() >= since &&
            c.reportedAt.getTime() <= now.getTime() &&
            t.categories.some((prefix) => c.category.startsWith(prefix)),
        );
        for (const [area, list] of group(recent, (c) => c.areaCode, t.per)) {
          if (list.length < t.minCases) continue;
          add(plan, area, t, {
            alarmIds: [],
            caseIds: list.map((c) => c.id).sort((a, b) => a - b),
            reason: {
              zh: `${t.withinMinutes} 分钟内 ${list.length} 件相关案件（阈值 ${t.minCases}）`,
              en: `${list.length} matching cases within ${t.withinMinutes} min (threshold ${t.minCases})`,
            },
          });
        }
      }
    }
  }
  return [...out.values()];
}

/** The SOP tasks of an activated plan: each step due `limitMinutes` after activation. */
export function sopTasks(
  steps: readonly PlanStep[],
  activatedAt: Date,
): { stepNo: number; title: string; departmentCode: string | null; dueAt: Date }[] {
  return steps.map((s, i) => ({
    stepNo: i + 1,
    title: s.title,
    departmentCode: s.departmentCode,
    dueAt: new Date(activatedAt.getTime() + s.limitMinutes * 60_000),
  }));
}

/** Problems with a plan as entered (empty when fine). */
export function planProblems(p: Omit<PlanDefinition, 'id' | 'active'>): string[] {
  const problems: string[] = [];
  if (!isIncidentLevel(p.level)) problems.push(`level ${String(p.level)} is not I–IV (1–4)`);
  if (p.triggers.length === 0) problems.push('a plan needs at least one trigger');
  if (p.steps.length === 0) problems.push('a plan needs at least one SOP step');
  for (const [i, t] of p.triggers.entries()) {
    if (t.level !== undefined && !isIncidentLevel(t.level))
      problems.push(`trigger ${i + 1}: level is not 1–4`);
    if (t.kind !== 'vital' && t.withinMinutes <= 0)
      problems.push(`trigger ${i + 1}: withinMinutes must be positive`);
    if (t.kind === 'cases' && t.categories.length === 0) problems.push(`trigger ${i + 1}: name a category`);
  }
  for (const [i, s] of p.steps.entries()) {
    if (!(s.limitMinutes > 0)) problems.push(`step ${i + 1}: limitMinutes must be positive`);
  }
  return problems;
}

/** "较大（III 级）" */
export function levelLabel(level: IncidentLevel, lang: 'zh' | 'en' = 'zh'): string {
  const n = incidentLevelNames[level];
  return lang === 'zh' ? `${n.zh}（${n.roman} 级）` : `${n.en} (level ${n.roman})`;
}
