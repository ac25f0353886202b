/**
 * Keeps the demo city's loop alive: on first start, the responsibility matrix, one handler per
 * department and a few weeks of history in every district that has grids; then a trickle of new
 * reports through the real engine so every screen has something true to show.
 */
import { createRng } from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import type { Server } from '../server.ts';
import { makeDepartmentHandlers, makeMatrix, seedCaseHistory } from './loop.factory.ts';

export interface DemoLoopOptions {
  attachmentsDir: string;
  days?: number;
  perDay?: number;
  /** Milliseconds between new reports; 0 for none. */
  trickleMs?: number;
}

export async function startDemoLoop(server: Server, db: Db, log: Logger, options: DemoLoopOptions) {
  const districts = (
    await db.query<{ code: string }>('SELECT DISTINCT district_code AS code FROM unit_grids ORDER BY 1')
  ).rows.map((r) => r.code);
  for (const d of districts) {
    await makeMatrix(db, d);
    await makeDepartmentHandlers(db, d);
  }
  const existing = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0]!.n;
  if (existing === 0) {
    for (const d of districts) {
      const r = await seedCaseHistory(db, server.geo, {
        districtCode: d,
        days: options.days ?? 21,
        perDay: options.perDay ?? 15,
        attachmentsDir: options.attachmentsDir,
        progress: (m) => log.info({ category: 'seed' }, m),
      });
      log.info({ category: 'seed' }, `${d}: ${r.cases} cases of demo history`);
    }
  }
  const trickleMs = options.trickleMs ?? 45_000;
  if (!trickleMs || districts.length === 0) return { stop: () => {} };
  const rng = createRng(`trickle-${Date.now()}`);
  const inspectors = (
    await db.query<{ id: number; username: string; displayName: string; scopeCode: string }>(
      `SELECT id::int AS id, username, display_name AS "displayName", scope_code AS "scopeCode"
         FROM users WHERE role = 'inspector' AND active ORDER BY id LIMIT 200`,
    )
  ).rows;
  const categories = ['06010', '06011', '06012', '06014', '07001', '07003', '09005', '09006', '06042'];
  const timer = setInterval(async () => {
    const who = inspectors.length ? rng.pick(inspectors) : undefined;
    if (!who) return;
    try {
      const p = (
        await db.query<{ lng: number; lat: number }>(
          `SELECT ST_X(p) AS lng, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM unit_grids
             WHERE code LIKE $1 || '%' ORDER BY random() LIMIT 1) g`,
          [who.scopeCode],
        )
      ).rows[0];
      if (!p) return;
      await server.cases.service.report(
        { category: rng.pick(categories), description: '巡查发现（演示）', location: p, source: 'inspector' },
        { ...who, role: 'inspector', departmentCode: null },
      );
    } catch (e) {
      log.debug({ err: e, category: 'seed' }, 'demo trickle report failed');
    }
  }, trickleMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
