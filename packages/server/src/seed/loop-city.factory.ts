/**
 * A small city for loop tests and benchmarks: one district (黄浦区 around People's Square), one street, one
 * community, four unit grids of ~100 m, two departments, the category catalogue, a matrix rule
 * and one user per role.
 */

import { hashPassword } from '../auth/password.ts';
import { loadCategoryCatalogue } from '../categories/catalogue.ts';
import type { Db } from '../db/db.ts';

export const square = { lng: 121.4737, lat: 31.2304 };
const box = (x0: number, y0: number, x1: number, y1: number) =>
  `ST_Multi(ST_MakeEnvelope(${x0}, ${y0}, ${x1}, ${y1}, 4326))`;

/** Creates a user (password `secret-pw` unless given) and returns its id. */
export async function ensureUser(
  db: Db,
  u: { username: string; role: string; scopeCode?: string; password?: string; departmentCode?: string },
): Promise<number> {
  await db.query(
    "INSERT INTO areas (code, level, name) VALUES ('3101', 'city', '上海市') ON CONFLICT (code) DO NOTHING",
  );
  const r = await db.query<{ id: number }>(
    `INSERT INTO users (username, display_name, password_hash, role, scope_code, department_code)
     VALUES ($1, $1, $2, $3, $4, $5)
     ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role RETURNING id::int AS id`,
    [
      u.username,
      await hashPassword(u.password ?? 'secret-pw'),
      u.role,
      u.scopeCode ?? '3101',
      u.departmentCode ?? null,
    ],
  );
  return r.rows[0]!.id;
}

export async function makeLoopCity(db: Db) {
  await loadCategoryCatalogue(db);
  const { lng, lat } = square;
  const d = 0.001;
  await db.exec(`
    INSERT INTO areas (code, level, name, parent_code) VALUES ('3101', 'city', '上海市', NULL) ON CONFLICT DO NOTHING;
    INSERT INTO areas (code, level, name, parent_code, geom) VALUES
      ('310101', 'district', '黄浦区', '3101', ${box(lng - 0.05, lat - 0.05, lng + 0.05, lat + 0.05)}),
      ('310104', 'district', '徐汇区', '3101', ${box(lng - 0.15, lat - 0.05, lng - 0.05, lat + 0.05)}),
      ('310101002', 'street', '南京东路街道', '310101', ${box(lng - 0.05, lat - 0.05, lng + 0.05, lat + 0.05)}),
      ('310104001', 'street', '天平路街道', '310104', ${box(lng - 0.15, lat - 0.05, lng - 0.05, lat + 0.05)}),
      ('310101002001', 'community', '云南中路居委会', '310101002', ${box(lng - 0.05, lat - 0.05, lng + 0.05, lat + 0.05)}),
      ('310104001001', 'community', '天平居委会', '310104001', ${box(lng - 0.15, lat - 0.05, lng - 0.05, lat + 0.05)});
    INSERT INTO unit_grids (code, community_code, street_code, district_code, area_class, geom, area_m2) VALUES
      ('310101002001001', '310101002001', '310101002', '310101', 'A', ${box(lng - d, lat, lng, lat + d)}, 10000),
      ('310101002001002', '310101002001', '310101002', '310101', 'A', ${box(lng, lat, lng + d, lat + d)}, 10000),
      ('310101002001003', '310101002001', '310101002', '310101', 'A', ${box(lng - d, lat - d, lng, lat)}, 10000),
      ('310101002001004', '310101002001', '310101002', '310101', 'A', ${box(lng, lat - d, lng + d, lat)}, 10000);
    INSERT INTO departments (code, name, area_code) VALUES
      ('310101-lhsr', '黄浦区绿化市容局', '310101'),
      ('310101-szgl', '黄浦区市政管理', '310101'),
      ('310104-lhsr', '徐汇区绿化市容局', '310104');
    INSERT INTO responsibility_matrix (category, area_code, department_code, auto_dispatch) VALUES
      ('06', '310101', '310101-lhsr', false),
      ('01', '310101', '310101-szgl', true),
      ('06', '310104', '310104-lhsr', false);
    UPDATE geo_revision SET revision = revision + 1;
  `);
  const users = {
    inspector: await ensureUser(db, { username: 'insp', role: 'inspector', scopeCode: '310101002' }),
    operator: await ensureUser(db, { username: 'op', role: 'operator', scopeCode: '310101' }),
    dispatcher: await ensureUser(db, { username: 'disp', role: 'dispatcher', scopeCode: '310101' }),
    handler: await ensureUser(db, {
      username: 'lhsr',
      role: 'handler',
      scopeCode: '310101',
      departmentCode: '310101-lhsr',
    }),
    otherHandler: await ensureUser(db, {
      username: 'szgl',
      role: 'handler',
      scopeCode: '310101',
      departmentCode: '310101-szgl',
    }),
    leader: await ensureUser(db, { username: 'boss', role: 'leader', scopeCode: '3101' }),
    xhOperator: await ensureUser(db, { username: 'xh-op', role: 'operator', scopeCode: '310104' }),
    admin: await ensureUser(db, { username: 'root', role: 'admin', scopeCode: '3101' }),
  };
  return users;
}
