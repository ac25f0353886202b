/**
 * Departments and users. Demo departments get valid-looking unified social credit codes that
 * belong to no real body; demo users share one password hash (see `makeUsers`).
 */
import { makeCreditCode, type Rng, type Role, streetStem } from '@onegrid/domain';
import { hashPassword } from '../auth/password.ts';
import type { Queryable } from '../db/db.ts';

export interface DepartmentSpec {
  slug: string;
  name: string;
  kind: 'handler' | 'centre' | 'owner';
  enterprise?: boolean;
}

/** City-level bodies: the operations centre and the municipal bureaus above the districts. */
export const cityDepartments: readonly DepartmentSpec[] = [
  { slug: 'cyzx', name: '上海市城市运行管理中心', kind: 'centre' },
  { slug: 'cgzf', name: '上海市城市管理行政执法局', kind: 'handler' },
  { slug: 'lhsr', name: '上海市绿化和市容管理局', kind: 'handler' },
  { slug: 'sw', name: '上海市水务局', kind: 'handler' },
  { slug: 'szdl', name: '上海市道路运输管理局', kind: 'handler' },
  { slug: 'jj', name: '上海市公安局交通警察总队', kind: 'handler' },
  { slug: 'fg', name: '上海市房屋管理局', kind: 'handler' },
  { slug: 'gd', name: '上海市供电公司（演示）', kind: 'owner', enterprise: true },
  { slug: 'rq', name: '上海市燃气公司（演示）', kind: 'owner', enterprise: true },
  { slug: 'tx', name: '上海市通信管线公司（演示）', kind: 'owner', enterprise: true },
];

/** The departments a district platform dispatches to (`d` is the district name, `s` its stem). */
export function districtDepartments(d: string): DepartmentSpec[] {
  const s = streetStem(d.replace(/(新区|区)$/, ''));
  return [
    { slug: 'cyzx', name: `${d}城市运行管理中心`, kind: 'centre' },
    { slug: 'cgzf', name: `${d}城市管理行政执法局`, kind: 'handler' },
    { slug: 'lhsr', name: `${d}绿化和市容管理局`, kind: 'handler' },
    { slug: 'szdl', name: `${d}建设和管理委员会（市政道路）`, kind: 'handler' },
    { slug: 'sw', name: `${d}水务局`, kind: 'handler' },
    { slug: 'hw', name: `${d}环境卫生管理所`, kind: 'handler' },
    { slug: 'jj', name: `${d}公安分局交警支队`, kind: 'handler' },
    { slug: 'fg', name: `${d}房屋管理局`, kind: 'handler' },
    { slug: 'gd', name: `${s}供电公司（演示）`, kind: 'handler', enterprise: true },
    { slug: 'rq', name: `${s}燃气管理所（演示）`, kind: 'handler', enterprise: true },
    { slug: 'tx', name: `${s}通信管线公司（演示）`, kind: 'handler', enterprise: true },
    { slug: 'szdlyh', name: `${s}市政养护公司（演示）`, kind: 'handler', enterprise: true },
    { slug: 'lhsryh', name: `${s}绿化养护公司（演示）`, kind: 'handler', enterprise: true },
    { slug: 'swyh', name: `${s}排水养护公司（演示）`, kind: 'handler', enterprise: true },
  ];
}

export interface DepartmentRow {
  code: string;
  name: string;
  creditCode: string;
}

/** Department codes are the area code and a slug: `310101-cgzf` is 黄浦区城市管理行政执法局. */
export function departmentCode(areaCode: string, slug: string): string {
  return `${areaCode}-${slug}`;
}

export async function makeDepartments(
  db: Queryable,
  areaCode: string,
  specs: readonly DepartmentSpec[],
  rng: Rng,
): Promise<DepartmentRow[]> {
  const division = areaCode.length >= 6 ? areaCode.slice(0, 6) : `${areaCode}00`;
  const rows = specs.map((s) => ({
    code: departmentCode(areaCode, s.slug),
    name: s.name,
    kind: s.kind,
    creditCode: makeCreditCode(rng, division, s.enterprise ? 'enterprise' : 'government'),
    phone: `021-${rng.int(5000, 6999)}${String(rng.int(0, 9999)).padStart(4, '0')}`,
  }));
  await db.query(
    `INSERT INTO departments (code, name, credit_code, area_code, kind, phone)
     SELECT x.code, x.name, x."creditCode", $2, x.kind, x.phone
       FROM jsonb_to_recordset($1::jsonb) AS x(code text, name text, "creditCode" text, kind text, phone text)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, active = true`,
    [JSON.stringify(rows), areaCode],
  );
  const r = await db.query<DepartmentRow>(
    `SELECT code, name, credit_code AS "creditCode" FROM departments
      WHERE code = ANY($1::text[]) ORDER BY code`,
    [rows.map((x) => x.code)],
  );
  return r.rows;
}

/** A street's own operations centre (街道城运中心), the platform at street level. */
export function streetCentre(streetName: string): DepartmentSpec {
  return { slug: 'cyzx', name: `${streetName}城运中心`, kind: 'centre' };
}

export interface UserSpec {
  username: string;
  role: Role;
  scopeCode: string;
  displayName?: string;
  departmentCode?: string | null;
  phone?: string | null;
  demo?: boolean;
  /** Inspectors: the responsibility grids they patrol. */
  dutyGridCodes?: readonly string[];
}

export const demoPassword = 'onegrid-demo';

/**
 * Creates or updates users with one password. The hash is computed once for the whole batch:
 * scrypt is deliberately slow, and hundreds of demo inspectors sharing one password would
 * otherwise cost minutes. Returns the user ids by username.
 */
export async function makeUsers(
  db: Queryable,
  users: readonly UserSpec[],
  password = demoPassword,
): Promise<Map<string, number>> {
  if (users.length === 0) return new Map();
  const hash = await hashPassword(password);
  const r = await db.query<{ id: number; username: string }>(
    `INSERT INTO users (username, display_name, password_hash, role, scope_code, department_code, phone, demo)
     SELECT x.username, coalesce(x."displayName", x.username), $2, x.role, x."scopeCode", x."departmentCode",
            x.phone, coalesce(x.demo, false)
       FROM jsonb_to_recordset($1::jsonb) AS x(username text, "displayName" text, role text, "scopeCode" text,
            "departmentCode" text, phone text, demo boolean)
     ON CONFLICT (username) DO UPDATE SET display_name = EXCLUDED.display_name, password_hash = EXCLUDED.password_hash,
       role = EXCLUDED.role, scope_code = EXCLUDED.scope_code, department_code = EXCLUDED.department_code,
       phone = EXCLUDED.phone, demo = EXCLUDED.demo, active = true
     RETURNING id::int AS id, username`,
    [JSON.stringify(users), hash],
  );
  const ids = new Map(r.rows.map((x) => [x.username, x.id]));
  const assignments = users.flatMap((u) =>
    (u.dutyGridCodes ?? []).map((duty) => ({ duty, user: ids.get(u.username) })),
  );
  if (assignments.length > 0) {
    await db.query(
      `INSERT INTO duty_grid_inspectors (duty_grid_code, user_id)
       SELECT x.duty, x."user" FROM jsonb_to_recordset($1::jsonb) AS x(duty text, "user" bigint)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(assignments)],
    );
  }
  return ids;
}

/** One user; returns its id. */
export async function makeUser(db: Queryable, user: UserSpec, password = demoPassword): Promise<number> {
  const ids = await makeUsers(db, [user], password);
  return ids.get(user.username)!;
}
