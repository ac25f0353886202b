/**
 * What GeoReport v2 fixes about values: its errors, W3C datetimes (written with their offset, read
 * with or without one) and form fields that may come once, repeated or comma-delimited.
 */
import type { FormFields } from './open311.schema.ts';

/** An error the specification names: its HTTP status is also the `code` of the error body. */
export class Open311Error extends Error {
  constructor(
    readonly status: 400 | 403 | 404,
    message: string,
  ) {
    super(message);
  }
}

const two = (n: number) => String(n).padStart(2, '0');

/** A W3C datetime with the offset written out: `2026-11-23T10:00:00+08:00`. */
export function w3cDateTime(at: Date, utcOffsetMinutes: number): string {
  const local = new Date(at.getTime() + utcOffsetMinutes * 60_000).toISOString().slice(0, 19);
  const abs = Math.abs(utcOffsetMinutes);
  return `${local}${utcOffsetMinutes < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

const w3cPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Reads a W3C datetime (a date alone, or with a time and an optional offset); without an offset
 * it is local time. A `+` that a query string turned into a space is read back as `+`.
 */
export function parseW3c(value: string, utcOffsetMinutes: number): Date | null {
  const m = w3cPattern.exec(value.trim().replace(/ (\d{2}:?\d{2})$/, '+$1'));
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const;
  const wall = Date.UTC(...parts, Math.round(Number(`0.${frac}`) * 1000));
  const check = new Date(Date.UTC(...parts));
  if (check.getUTCMonth() !== parts[1] || check.getUTCDate() !== parts[2]) return null;
  if (parts[3] > 23 || parts[4] > 59 || parts[5] > 59) return null;
  let offset = utcOffsetMinutes;
  if (zone && zone.toUpperCase() === 'Z') offset = 0;
  else if (zone) {
    const digits = zone.replace(':', '');
    offset = (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  return new Date(wall - offset * 60_000);
}

export function one(f: FormFields, name: string, max = 500): string | undefined {
  const v = f[name];
  if (Array.isArray(v)) throw new Open311Error(400, `${name} was given more than once`);
  const t = v?.trim();
  if (!t) return undefined;
  if (t.length > max) throw new Open311Error(400, `${name} is longer than ${max} characters`);
  return t;
}

/** Comma-delimited and/or repeated parameter values, trimmed, without blanks. */
export const list = (values: string[] | undefined) =>
  values
    ?.flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);

/** Western names are "first last"; Chinese ones are written family name first, without a space. */
export function personName(first?: string, last?: string): string | undefined {
  if (!first || !last) return first ?? last;
  return /\p{Script=Han}/u.test(first + last) ? `${last}${first}` : `${first} ${last}`;
}
