/**
 * The demo city's history: weeks of cases over all sources and categories, driven through the
 * real case engine with a moving clock, so every timeline, deadline and counter is true. Most
 * cases close; some run late, some are returned, reworked, suspended, rejected or merged; the
 * newest are still open at every step of the loop.
 */
import { createRng, historyMoments, type Rng, toWgs84 } from '@onegrid/domain';
import { attachmentService } from '../attachments/attachment.service.ts';
import type { Principal } from '../auth/auth.service.ts';
import { hashPassword } from '../auth/password.ts';
import { type CaseService, caseService } from '../cases/case.service.ts';
import { loadLoopConfig } from '../cases/loop-settings.ts';
import type { Db, Queryable } from '../db/db.ts';
import type { GeoService } from '../geo/geo.service.ts';
import { demoPhoto } from './demo-photo.ts';

/** Which department handles which major, per district (slugs of `districtDepartments`). */
const majorToSlug: Record<string, { slug: string; auto?: boolean }> = {
  '01': { slug: 'szdl', auto: true },
  '02': { slug: 'szdl' },
  '03': { slug: 'hw' },
  '04': { slug: 'lhsr' },
  '05': { slug: 'cyzx' },
  '06': { slug: 'hw' },
  '07': { slug: 'cgzf' },
  '08': { slug: 'cgzf' },
  '09': { slug: 'cgzf' },
  '10': { slug: 'cyzx' },
};

/** The responsibility matrix of a district: one rule per major, plus a few exact-code rules. */
export async function makeMatrix(db: Queryable, districtCode: string): Promise<number> {
  const rules = [
    ...Object.entries(majorToSlug).map(([major, r]) => ({
      category: major,
      slug: r.slug,
      auto: r.auto ?? false,
    })),
    { category: '06012', slug: 'lhsr', auto: false }, // 道路不洁 → 绿化市容
    { category: '06016', slug: 'sw', auto: false }, // 河道 → 水务
    { category: '02030', slug: 'jj', auto: true },
  ];
  const r = await db.query(
    `INSERT INTO responsibility_matrix (category, area_code, department_code, auto_dispatch)
     SELECT x.category, $2, $2 || '-' || x.slug, x.auto FROM jsonb_to_recordset($1::jsonb) AS x(category text, slug text, auto boolean)
     WHERE EXISTS (SELECT 1 FROM departments d WHERE d.code = $2 || '-' || x.slug)
     ON CONFLICT (category, area_code) DO NOTHING`,
    [JSON.stringify(rules), districtCode],
  );
  return r.rowCount;
}

/** One handler account per department of the district (password `onegrid-demo`). */
export async function makeDepartmentHandlers(db: Queryable, districtCode: string): Promise<void> {
  const hash = await hashPassword('onegrid-demo');
  await db.query(
    `INSERT INTO users (username, display_name, password_hash, role, scope_code, department_code, demo)
     SELECT d.code, d.name || ' 处置员', $2, 'handler', $1, d.code, true FROM departments d
     WHERE d.area_code = $1 AND d.kind = 'handler'
     ON CONFLICT (username) DO NOTHING`,
    [districtCode, hash],
  );
}

export interface HistoryOptions {
  districtCode: string;
  days: number;
  perDay: number;
  seed?: string;
  now?: Date;
  /** Where the demo photos go: the server's attachments dir. */
  attachmentsDir: string;
  progress?: (message: string) => void;
}

interface Cast {
  operator: Principal;
  dispatcher: Principal;
  inspectors: Principal[];
  handlers: Map<string, Principal>;
}

async function loadCast(db: Queryable, districtCode: string): Promise<Cast> {
  const r = await db.query<Principal & { username: string }>(
    `SELECT id::int AS id, username, display_name AS "displayName", role, scope_code AS "scopeCode",
       department_code AS "departmentCode" FROM users WHERE active AND (scope_code LIKE $1 || '%' OR scope_code = '3101')`,
    [districtCode],
  );
  const by = (f: (u: Principal & { username: string }) => boolean) => r.rows.filter(f);
  const operator = by((u) => u.username === 'hp-operator')[0] ?? by((u) => u.role === 'operator')[0];
  const dispatcher = by((u) => u.role === 'dispatcher')[0];
  if (!operator || !dispatcher) throw new Error('the demo history needs an operator and a dispatcher');
  return {
    operator,
    dispatcher,
    inspectors: by((u) => u.role === 'inspector'),
    handlers: new Map(
      by((u) => u.role === 'handler' && u.departmentCode !== null).map((u) => [u.departmentCode!, u]),
    ),
  };
}

const sources = [
  { source: 'inspector', weight: 55 },
  { source: 'public', weight: 10 },
  { source: 'hotline', weight: 18 },
  { source: 'camera', weight: 7 },
  { source: 'iot', weight: 4 },
  { source: 'department', weight: 6 },
] as const;

export async function seedCaseHistory(db: Db, geo: GeoService, options: HistoryOptions) {
  const rng = createRng(options.seed ?? `onegrid-history-${options.districtCode}`);
  const say = options.progress ?? (() => {});
  const end = options.now ?? new Date();
  let clock = new Date(end.getTime() - options.days * 86_400_000);
  const loop = await loadLoopConfig(db);
  const photos = attachmentService({ db, dir: options.attachmentsDir, maxBytes: 1 << 20 });
  const cases = caseService({
    db,
    clock: () => clock,
    locate: (lng, lat) => geo.locateWgs84(lng, lat),
    toWgs84,
    config: loop.get,
  });
  const cast = await loadCast(db, options.districtCode);
  const categories = (
    await db.query<{ code: string; name: string }>(
      "SELECT code, name FROM categories WHERE kind = 'event' AND active AND code NOT LIKE '10%' ORDER BY code",
    )
  ).rows;
  // Where problems are found: the unit grids of a district seeded in detail, else points spread
  // over the district's polygon (a district known by its boundary only).
  let grids = (
    await db.query<{ lng: number; lat: number }>(
      `SELECT ST_X(p) AS lng, ST_Y(p) AS lat FROM (
         SELECT ST_PointOnSurface(geom) AS p FROM unit_grids WHERE district_code = $1 ORDER BY code) g`,
      [options.districtCode],
    )
  ).rows;
  if (!grids.length)
    grids = (
      await db.query<{ lng: number; lat: number }>(
        `SELECT ST_X(p.geom) AS lng, ST_Y(p.geom) AS lat
           FROM areas a, ST_Dump(ST_GeneratePoints(a.geom, 200, 7)) p
          WHERE a.code = $1 AND a.geom IS NOT NULL`,
        [options.districtCode],
      )
    ).rows;
  if (!grids.length || !categories.length) return { cases: 0 };
  await geo.refresh({ force: true });

  // When: per day about `perDay`, varying from day to day, by the hour's rhythm (rush hours,
  // quiet nights, lighter weekends), never a flat line.
  const moments = historyMoments(end, options.days, options.perDay, rng.fork('moments'));
  const total = moments.length;
  let made = 0;
  for (let i = 0; i < total; i++) {
    clock = moments[i]!;
    if (clock >= end) break;
    const g = rng.pick(grids);
    const cat = rng.pick(categories);
    const source = rng.weighted([...sources], (s) => s.weight).source;
    const reporter = source === 'inspector' ? rng.pick(cast.inspectors) : cast.operator;
    try {
      const r = await cases.report(
        {
          category: cat.code,
          description: `${cat.name}（演示）`,
          location: { lng: g.lng + (rng.next() - 0.5) * 0.0004, lat: g.lat + (rng.next() - 0.5) * 0.0004 },
          source,
          urgency: rng.next() < 0.12 ? 'urgent' : 'normal',
          ...(source === 'public' || source === 'hotline'
            ? {
                reporterName: '市民',
                reporterContact: `139${String(rng.int(0, 99_999_999)).padStart(8, '0')}`,
              }
            : {}),
        },
        source === 'camera' || source === 'iot' ? { system: true, name: `${source}-demo` } : reporter,
      );
      const age = (end.getTime() - clock.getTime()) / 86_400_000;
      await drive(
        cases,
        photos,
        cast,
        r.case.id,
        rng.fork(String(i)),
        age,
        end,
        () => clock,
        (t) => {
          clock = t;
        },
      );
      made++;
    } catch (e) {
      say(`case ${i}: ${(e as Error).message}`);
    }
    if ((i + 1) % 50 === 0) say(`history: ${i + 1}/${total} cases`);
  }
  return { cases: made };
}

/** Walks one case along the loop, further the older it is, with realistic detours. */
async function drive(
  cases: CaseService,
  photos: ReturnType<typeof attachmentService>,
  cast: Cast,
  id: number,
  rng: Rng,
  ageDays: number,
  end: Date,
  now: () => Date,
  setNow: (t: Date) => void,
) {
  // Nothing happens after `end` (now): a case whose next step would fall later stays where it is.
  const later = (minutes: number) => {
    setNow(new Date(now().getTime() + minutes * 60_000));
    return now() < end;
  };
  // How far along: old cases finish; the last day's cases stop at every step.
  const maxSteps = ageDays > 2 ? 20 : Math.floor(rng.next() * 8);
  const late = rng.next() < 0.12;
  for (let step = 0; step < maxSteps; step++) {
    const c = await cases.get(id, { system: true, name: 'history' });
    const s = c.snapshot as { verification: string | null; source: string };
    const v = { version: c.version };
    const inspector = cast.inspectors.find((u) => c.areaCode.startsWith(u.scopeCode)) ?? cast.inspectors[0];
    const handler = c.departmentCode ? cast.handlers.get(c.departmentCode) : undefined;
    if (!later(rng.int(5, 90))) return;
    switch (c.status) {
      case 'reported':
        if (rng.next() < 0.05)
          return void (await cases.act(id, 'reject', cast.operator, { ...v, reason: '不属于受理范围' }));
        if ((s.source === 'public' || s.source === 'hotline') && s.verification === null && inspector) {
          await cases.act(id, 'verify-report', cast.operator, { ...v, inspectorId: String(inspector.id) });
          break;
        }
        await cases.act(id, 'accept', cast.operator, v);
        break;
      case 'verifying':
        if (!inspector) return;
        await cases.act(id, 'confirm-report', inspector, { ...v, confirmed: true });
        break;
      case 'filed':
        await cases.act(id, 'dispatch', cast.dispatcher, v);
        break;
      case 'dispatched':
        if (!handler) return;
        if (rng.next() < 0.04 && !c.pending) {
          await cases.act(id, 'return', handler, { ...v, reason: '非本单位职责' });
          if (!later(30)) return;
          const r = await cases.get(id, { system: true, name: 'history' });
          await cases.act(id, 'approve-return', cast.dispatcher, { version: r.version });
          break;
        }
        await cases.act(id, 'accept-task', handler, v);
        break;
      case 'handling': {
        if (!handler) return;
        if (rng.next() < 0.04) {
          await cases.act(id, 'request-suspension', handler, { ...v, reason: '需协调产权单位，暂缓处置' });
          const r = await cases.get(id, { system: true, name: 'history' });
          await cases.act(id, 'approve-suspension', cast.dispatcher, { version: r.version });
          return;
        }
        if (!later(late ? rng.int(3000, 9000) : rng.int(60, 600))) return;
        const png = demoPhoto([rng.int(60, 200), rng.int(90, 200), rng.int(60, 160)]);
        const photo = await photos.store(png, { id: String(handler.id), scopeCode: handler.scopeCode });
        await cases.act(id, 'handle', handler, { ...v, note: '已处置完毕', photos: [photo.id] });
        break;
      }
      case 'handled':
        if (!inspector) return;
        await cases.act(
          id,
          'verify',
          inspector,
          rng.next() < 0.08 ? { ...v, passed: false, note: '现场仍未整改到位' } : { ...v, passed: true },
        );
        break;
      case 'checked':
        await cases.act(id, 'close', cast.operator, v);
        return;
      default:
        return;
    }
  }
}
