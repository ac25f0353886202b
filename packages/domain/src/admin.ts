/**
 * What an administrator types into the admin screens, checked the same way on both sides: the
 * server's request schemas take their patterns and limits from here, and the web forms call the
 * `check…` functions before sending, turning each problem code into the user's language. A check
 * returns `{ field → problem }`; empty means valid.
 */
import { checkPassword, type PasswordProblem } from './accounts/password-policy.ts';
import { type Role, roles } from './roles.ts';

/** As the `users.username` CHECK: lower-case letters, digits, `.`, `_`, `-`; 2–64 characters. */
export const usernamePattern = '^[a-z0-9][a-z0-9._-]{1,63}$';
/** Department codes: `310101-lhsr` — lower-case letters, digits and `-`; 2–40 characters. */
export const departmentCodePattern = '^[a-z0-9][a-z0-9-]{1,39}$';
/** 统一社会信用代码, GB 32100: 18 characters, no I, O, S, V, Z. */
export const creditCodePattern = '^[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}$';
/** City, district, street or community code (4, 6, 9 or 12 digits). */
export const areaCodePattern = '^(\\d{4}|\\d{6}|\\d{9}|\\d{12})$';
/** A calendar entry: one date or an inclusive range `2026-10-01..2026-10-07`. */
export const dateOrRangePattern = '^\\d{4}-\\d{2}-\\d{2}(\\.\\.\\d{4}-\\d{2}-\\d{2})?$';
export const displayNameMaxLength = 100;
export const departmentNameMaxLength = 100;
export const departmentKinds = ['handler', 'centre', 'owner'] as const;
export type DepartmentKind = (typeof departmentKinds)[number];

export type FieldProblem =
  | 'required'
  | 'pattern'
  | 'tooShort'
  | 'tooLong'
  | 'invalid'
  | 'notInScope'
  | 'departmentNeeded'
  | PasswordProblem;
export type FieldProblems = Record<string, FieldProblem>;

const re = (p: string) => new RegExp(p);

export interface UserDraft {
  username?: string;
  displayName?: string;
  password?: string;
  role?: string;
  scopeCode?: string;
  departmentCode?: string | null;
}

/** `creating`: username and password are required; otherwise only what is present is checked. */
export function checkUser(u: UserDraft, creating: boolean): FieldProblems {
  const p: FieldProblems = {};
  if (creating || u.username !== undefined) {
    if (!u.username) p.username = 'required';
    else if (!re(usernamePattern).test(u.username)) p.username = 'pattern';
  }
  if (creating || u.displayName !== undefined) {
    if (!u.displayName?.trim()) p.displayName = 'required';
    else if (u.displayName.length > displayNameMaxLength) p.displayName = 'tooLong';
  }
  if (creating || u.password !== undefined) {
    const p2 = checkPassword(u.password ?? '', u.username);
    if (p2) p.password = p2;
  }
  if (creating || u.role !== undefined) {
    if (!u.role) p.role = 'required';
    else if (!(roles as readonly string[]).includes(u.role)) p.role = 'invalid';
  }
  if (creating || u.scopeCode !== undefined) {
    if (!u.scopeCode) p.scopeCode = 'required';
    else if (!re(areaCodePattern).test(u.scopeCode)) p.scopeCode = 'pattern';
  }
  if (u.role === 'handler' && creating && !u.departmentCode) p.departmentCode = 'departmentNeeded';
  return p;
}

export interface DepartmentDraft {
  code?: string;
  name?: string;
  areaCode?: string;
  kind?: string;
  creditCode?: string | null;
  phone?: string | null;
}

export function checkDepartment(d: DepartmentDraft, creating: boolean): FieldProblems {
  const p: FieldProblems = {};
  if (creating || d.code !== undefined) {
    if (!d.code) p.code = 'required';
    else if (!re(departmentCodePattern).test(d.code)) p.code = 'pattern';
  }
  if (creating || d.name !== undefined) {
    if (!d.name?.trim()) p.name = 'required';
    else if (d.name.length > departmentNameMaxLength) p.name = 'tooLong';
  }
  if (creating || d.areaCode !== undefined) {
    if (!d.areaCode) p.areaCode = 'required';
    else if (!re(areaCodePattern).test(d.areaCode)) p.areaCode = 'pattern';
  }
  if (d.kind !== undefined && !(departmentKinds as readonly string[]).includes(d.kind)) p.kind = 'invalid';
  if (d.creditCode && !re(creditCodePattern).test(d.creditCode)) p.creditCode = 'pattern';
  if (d.phone && d.phone.length > 40) p.phone = 'tooLong';
  return p;
}

/** A holiday or make-up workday entry: a real date, or a range whose end is not before its start. */
export function checkDateOrRange(s: string): FieldProblem | undefined {
  if (!s) return 'required';
  if (!re(dateOrRangePattern).test(s)) return 'pattern';
  const [a, b] = s.split('..');
  const valid = (d: string) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === d;
  };
  if (!valid(a!) || (b !== undefined && (!valid(b) || b < a!))) return 'invalid';
  return undefined;
}

export function isRoleName(s: string): s is Role {
  return (roles as readonly string[]).includes(s);
}
