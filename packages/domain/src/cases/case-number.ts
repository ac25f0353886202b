/**
 * Case numbers people can read and say on the phone: `C|E` (component 部件 / event 事件) + the
 * 5-digit matter code + the local date `YYYYMMDD` (Asia/Shanghai) + a 6-digit sequence, e.g.
 * `E0601020261122000123` (one city's practice, not a standard). The number is unique as long as
 * the sequence is unique per prefix; a city-wide daily counter satisfies that too.
 */
import { localDate, shanghaiUtcOffsetMinutes } from './calendar.ts';

export type CaseKind = 'C' | 'E';
export const caseSequenceWidth = 6;
export const maxCaseSequence = 10 ** caseSequenceWidth - 1;

/** Components (and their faults) are majors 01–05; events 06 and up. */
export function caseKindOf(category: string): CaseKind {
  return Number(category.slice(0, 2)) <= 5 ? 'C' : 'E';
}

/** The `YYYYMMDD` local date part of a case number for an instant. */
export function caseNumberDay(at: Date, utcOffsetMinutes = shanghaiUtcOffsetMinutes): string {
  return localDate(at, utcOffsetMinutes).replaceAll('-', '');
}

export function caseNumber(
  kind: CaseKind,
  categoryCode: string,
  at: Date,
  sequence: number,
  utcOffsetMinutes = shanghaiUtcOffsetMinutes,
): string {
  if (kind !== 'C' && kind !== 'E') throw new RangeError(`case kind must be C or E, not ${String(kind)}`);
  if (!/^\d{5}$/.test(categoryCode)) throw new RangeError(`"${categoryCode}" is not a 5-digit matter code`);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > maxCaseSequence) {
    throw new RangeError(`case sequence must be an integer from 1 to ${maxCaseSequence}`);
  }
  if (Number.isNaN(at.getTime())) throw new RangeError('invalid date');
  const seq = String(sequence).padStart(caseSequenceWidth, '0');
  return `${kind}${categoryCode}${caseNumberDay(at, utcOffsetMinutes)}${seq}`;
}

export interface ParsedCaseNumber {
  readonly kind: CaseKind;
  readonly category: string;
  /** Local date `YYYY-MM-DD`. */
  readonly date: string;
  readonly sequence: number;
}

const pattern = /^([CE])(\d{5})(\d{4})(\d{2})(\d{2})(\d{6})$/;

/** Parses a case number; undefined when it is not one (wrong shape, impossible date, zero). */
export function parseCaseNumber(value: string): ParsedCaseNumber | undefined {
  const m = pattern.exec(value.trim().toUpperCase());
  if (!m) return undefined;
  const [, kind, category, y, mo, d, seq] = m as unknown as [
    string,
    CaseKind,
    string,
    string,
    string,
    string,
    string,
  ];
  const date = `${y}-${mo}-${d}`;
  const t = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== date) return undefined;
  const sequence = Number(seq);
  if (sequence < 1) return undefined;
  return { kind, category, date, sequence };
}
