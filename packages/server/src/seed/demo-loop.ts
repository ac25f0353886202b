/**
 * Keeps the demo city's loop alive: departments, matrix, handlers and inspectors in all 16
 * districts; on first start a few weeks of history in every district, at rates by residents with
 * a daily rhythm; then patrols and new reports through the real engine (demo-life.ts), so every
 * screen has something true to show.
 */
import { reportsPerDay } from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import type { Server } from '../server.ts';
import { prepareLivingCity, startLivingCity } from './demo-life.ts';
import { seedCaseHistory } from './loop.factory.ts';

export interface DemoLoopOptions {
  attachmentsDir: string;
  days?: number;
  perDay?: number;
  /** Milliseconds between two steps of the living city (patrols, perhaps a report); 0 for none. */
  trickleMs?: number;
}

export async function startDemoLoop(server: Server, db: Db, log: Logger, options: DemoLoopOptions) {
  // Every district lives, not only the one seeded in detail (demo-life.ts).
  const districts = await prepareLivingCity(db);
  const detailed = new Set(
    (await db.query<{ code: string }>('SELECT DISTINCT district_code AS code FROM unit_grids')).rows.map(
      (r) => r.code,
    ),
  );
  const existing = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases')).rows[0]!.n;
  const trickleMs = options.trickleMs ?? 30_000;
  // Life first (a report and patrols in every district at once), then the history behind it.
  const life = trickleMs ? await startLivingCity(server, db, log, { everyMs: trickleMs }) : undefined;
  if (existing === 0) {
    // The detailed district first: the README's walk-through happens there.
    const ordered = [...districts].sort(
      (a, b) => Number(detailed.has(b.code)) - Number(detailed.has(a.code)),
    );
    for (const d of ordered) {
      const r = await seedCaseHistory(db, server.geo, {
        districtCode: d.code,
        // The detailed district at its usual pace; the others by their residents, two weeks.
        days: detailed.has(d.code) ? (options.days ?? 21) : 14,
        perDay: detailed.has(d.code) ? (options.perDay ?? 15) : reportsPerDay(d.residents),
        attachmentsDir: options.attachmentsDir,
        progress: (m) => log.info({ category: 'seed' }, m),
      });
      log.info({ category: 'seed' }, `${d.code} ${d.name}: ${r.cases} cases of demo history`);
    }
  }
  return { stop: () => life?.stop() };
}
