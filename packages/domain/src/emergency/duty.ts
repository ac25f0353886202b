/**
 * 值班值守: shifts per platform (city, district, street). "Who is on duty now" for any area code
 * walks up the area tree to the nearest platform with someone on shift: a unit grid or community
 * asks its street, then its district, then the city.
 */
import { levelOfCode, parentCode } from '../areas.ts';

/** The levels that run a duty platform (城运中心): city, district, street. */
export const dutyPlatformLevels = ['city', 'district', 'street'] as const;
export type DutyPlatformLevel = (typeof dutyPlatformLevels)[number];

/** Posts on a shift: the leader in charge (带班领导) and the officers on duty (值班员). */
export const dutyPosts = ['lead', 'officer'] as const;
export type DutyPost = (typeof dutyPosts)[number];
export const dutyPostNames: Record<DutyPost, { zh: string; en: string }> = {
  lead: { zh: '带班领导', en: 'Leader in charge' },
  officer: { zh: '值班员', en: 'Duty officer' },
};

/** Duty log entries (值班日志). */
export const dutyLogKinds = ['note', 'call', 'handover', 'incident'] as const;
export type DutyLogKind = (typeof dutyLogKinds)[number];
export const dutyLogKindNames: Record<DutyLogKind, { zh: string; en: string }> = {
  note: { zh: '值班记录', en: 'Note' },
  call: { zh: '来电', en: 'Call' },
  handover: { zh: '交接班', en: 'Handover' },
  incident: { zh: '突发事件', en: 'Incident' },
};

/** A shift may not be longer than this (a 24-hour shift is the longest common one). */
export const maxShiftHours = 48;

/**
 * The platforms to ask for an area, nearest first: a street, its district, the city. A community
 * or unit grid starts at its street. Undefined for a code that is not an area code.
 */
export function dutyPlatformChain(code: string): string[] | undefined {
  const level = levelOfCode(code);
  if (!level) return undefined;
  let c: string | undefined = code.length > 9 ? code.slice(0, 9) : code;
  const chain: string[] = [];
  while (c) {
    chain.push(c);
    c = parentCode(c);
  }
  return chain;
}

export interface ShiftLike {
  areaCode: string;
  startsAt: Date;
  endsAt: Date;
}

/** Shifts covering `at` ([startsAt, endsAt)). */
export function onShiftAt<S extends ShiftLike>(shifts: readonly S[], at: Date): S[] {
  const t = at.getTime();
  return shifts.filter((s) => s.startsAt.getTime() <= t && t < s.endsAt.getTime());
}

/**
 * The nearest platform up the chain of `code` with someone on shift at `at`, and those shifts;
 * undefined when nobody anywhere up the tree is on duty.
 */
export function resolveDuty<S extends ShiftLike>(
  code: string,
  shifts: readonly S[],
  at: Date,
): { platform: string; shifts: S[] } | undefined {
  const now = onShiftAt(shifts, at);
  for (const platform of dutyPlatformChain(code) ?? []) {
    const here = now.filter((s) => s.areaCode === platform);
    if (here.length > 0) return { platform, shifts: here };
  }
  return undefined;
}

/** Problems with a shift as entered (empty when fine). */
export function shiftProblems(s: { areaCode: string; startsAt: Date; endsAt: Date }): string[] {
  const problems: string[] = [];
  const level = levelOfCode(s.areaCode);
  if (!level || !(dutyPlatformLevels as readonly string[]).includes(level)) {
    problems.push(`areaCode ${s.areaCode} is not a city, district or street (duty platforms)`);
  }
  const a = s.startsAt.getTime();
  const b = s.endsAt.getTime();
  if (Number.isNaN(a) || Number.isNaN(b)) problems.push('startsAt and endsAt must be times');
  else if (b <= a) problems.push('endsAt must be after startsAt');
  else if (b - a > maxShiftHours * 3600_000) problems.push(`a shift lasts at most ${maxShiftHours} hours`);
  return problems;
}
