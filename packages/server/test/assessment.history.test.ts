/**
 * Assessment over a realistic history (`seedCaseHistory` drives weeks of cases through the real
 * engine): the SQL counters agree with an independent recount of the timeline in TypeScript,
 * periods add up, levels roll up, and every drill-down lists as many cases as its figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessmentRepository } from '../src/assessment/assessment.repository.ts';
import { assessmentService } from '../src/assessment/assessment.service.ts';
import { makeDepartmentHandlers, makeMatrix, seedCaseHistory } from '../src/seed/loop.factory.ts';
import type { Server } from '../src/server.ts';
import { makeLoopCity } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { testServer } from './http-harness.ts';

interface Effect {
  type: string;
  step?: string;
  onTime?: boolean;
  cancelled?: boolean;
}

describe(`assessment over a seeded history on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  const now = new Date('2026-11-22T06:00:00Z');
  const from = new Date('2026-11-10T16:00:00Z');
  const mid = new Date('2026-11-16T16:00:00Z');
  const to = new Date('2026-11-22T16:00:00Z');
  const attachmentsDir = path.join(os.tmpdir(), `onegrid-assessment-history-${process.pid}`);
  const service = () => assessmentService({ db: t.db, clock: () => now });

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    await t.db.exec(`
      INSERT INTO departments (code, name, area_code) VALUES
        ('310101-hw', '黄浦区环卫所', '310101'), ('310101-cgzf', '黄浦区城管执法局', '310101'),
        ('310101-szdl', '黄浦区市政道路', '310101'), ('310101-cyzx', '黄浦区城运中心', '310101')
      ON CONFLICT DO NOTHING;
      DELETE FROM responsibility_matrix;`);
    server = await testServer(t.db);
    await makeMatrix(t.db, '310101');
    await makeDepartmentHandlers(t.db, '310101');
    const r = await seedCaseHistory(t.db, server.geo, {
      districtCode: '310101',
      days: 12,
      perDay: 8,
      now,
      attachmentsDir,
    });
    expect(r.cases).toBeGreaterThan(60);
  }, 240_000);
  afterAll(async () => {
    await server?.close();
    await t?.close();
    fs.rmSync(attachmentsDir, { recursive: true, force: true });
  });

  it('agrees with an independent recount of the timeline', async () => {
    const events = await t.db.query<{
      action: string;
      effects: Effect[];
      data: Record<string, unknown>;
      dept: string | null;
    }>(
      `SELECT e.action, e.effects, e.data, c.department_code AS dept FROM case_events e JOIN cases c ON c.id = e.case_id
       WHERE e.at >= $1 AND e.at < $2`,
      [from, to],
    );
    const stopped = (e: { effects: Effect[] }, step: string, onTime?: boolean) =>
      e.effects.some(
        (x) => x.type === 'deadline-stopped' && x.step === step && !x.cancelled && (!onTime || x.onTime),
      );
    const count = (f: (e: (typeof events.rows)[number]) => boolean) => events.rows.filter(f).length;
    const district = (
      await service().assess({ level: 'district', period: { from, to }, scope: '3101' })
    ).rows.find((r) => r.subject === '310101');
    expect(district?.counters).toMatchObject({
      reported: count((e) => e.action === 'report'),
      filed: count((e) => e.action === 'accept'),
      closed: count((e) => e.action === 'close' || e.action === 'self-handle'),
      selfHandled: count((e) => e.action === 'self-handle'),
      reworks: count((e) => e.action === 'verify' && e.effects.some((x) => x.type === 'rework')),
      returns: count((e) => e.action === 'approve-return'),
    });
    expect(district?.counters.filed).toBeGreaterThan(20);
    const depts = (await service().assess({ level: 'department', period: { from, to }, scope: '3101' })).rows;
    const handled = depts.reduce((s, r) => s + (r.counters.handled ?? 0), 0);
    const onTime = depts.reduce((s, r) => s + (r.counters.handledOnTime ?? 0), 0);
    expect(handled).toBe(count((e) => e.action === 'handle' && stopped(e, 'handling')));
    expect(onTime).toBe(count((e) => e.action === 'handle' && stopped(e, 'handling', true)));
    for (const r of depts) {
      expect(r.score === null || (r.score >= 0 && r.score <= 100)).toBe(true);
      for (const v of Object.values(r.rates)) if (v !== null) expect(v).toBeGreaterThanOrEqual(0);
    }
  });

  it('adds up across periods and rolls grids up to the district', async () => {
    const s = service();
    const additive = ['reported', 'filed', 'closed', 'reworks', 'returns', 'dispatched', 'publicConfirmed'];
    const at = async (a: Date, b: Date, level: 'grid' | 'district') =>
      (await s.assess({ level, period: { from: a, to: b }, scope: '310101' })).rows;
    const whole = await at(from, to, 'district');
    const first = await at(from, mid, 'district');
    const second = await at(mid, to, 'district');
    const grids = await at(from, to, 'grid');
    for (const k of additive) {
      const w = whole[0]?.counters[k] ?? 0;
      expect((first[0]?.counters[k] ?? 0) + (second[0]?.counters[k] ?? 0), k).toBe(w);
      // Cases without a unit grid count at the district only.
      expect(
        grids.reduce((n, g) => n + (g.counters[k] ?? 0), 0),
        k,
      ).toBeLessThanOrEqual(w);
    }
  });

  it('lists as many cases behind a figure as the figure counts', async () => {
    const s = service();
    const period = { from, to };
    const d = (await s.assess({ level: 'district', period, scope: '310101' })).rows[0];
    for (const indicator of ['reported', 'closed', 'selfHandled']) {
      const cases = await s.casesBehind({
        level: 'district',
        period,
        scope: '310101',
        subject: '310101',
        indicator,
      });
      expect(cases.length, indicator).toBe(d?.counters[indicator]);
    }
  });

  it('reads whole days from the daily rollup with exactly the figures of the live scan', async () => {
    const s = service();
    const rollup = assessmentRepository(t.db).rollup;
    await rollup.clear();
    // Whole days, and a period with partial first and last days.
    const periods = [
      { from, to },
      { from: new Date(from.getTime() + 5 * 3_600_000), to: new Date(to.getTime() - 3 * 3_600_000) },
    ];
    const levels = ['district', 'street', 'grid'] as const;
    const all = async () => {
      const out = [];
      for (const period of periods)
        for (const level of levels)
          out.push(await s.assess({ level, period, scope: '3101', compare: 'previous' }));
      return out;
    };
    const live = await all();
    expect((await rollup.plan(periods[0] as (typeof periods)[0])).days).toEqual([]);

    const built = await rollup.catchUp(now);
    expect(built.days.length).toBeGreaterThanOrEqual(12);
    expect(built.months).toEqual([]); // November has not ended
    const plan = await rollup.plan(periods[1] as (typeof periods)[0]);
    // Nov 11–22 minus the partial first and last days; today (the 22nd) has not ended, so it was
    // not built and its partial stretch is scanned live either way.
    expect(plan.days).toHaveLength(10);
    expect(plan.live).toHaveLength(2); // 05:00 … midnight on the 11th, the 22nd … 21:00
    expect(await all()).toEqual(live);

    // A case moved to another unit grid: every day it has events on is un-marked and scanned live.
    const moved = await t.db.query<{ id: number; grid: string; days: number }>(
      `SELECT c.id::int AS id, c.unit_grid_code AS grid,
         count(DISTINCT ((e.at + interval '8 hours') AT TIME ZONE 'UTC')::date)::int AS days
       FROM cases c JOIN case_events e ON e.case_id = c.id
       WHERE c.unit_grid_code IS NOT NULL AND e.at >= $1 AND e.at < $2 GROUP BY 1, 2 ORDER BY 1 LIMIT 1`,
      [from, to],
    );
    const m = moved.rows[0];
    if (!m) throw new Error('no case to move');
    const other = m.grid.endsWith('001') ? `${m.grid.slice(0, -3)}002` : `${m.grid.slice(0, -3)}001`;
    const before = (await rollup.plan({ from, to })).days.length;
    await t.db.query('UPDATE cases SET unit_grid_code = $2, area_code = $2 WHERE id = $1', [m.id, other]);
    expect((await rollup.plan({ from, to })).days.length).toBe(before - m.days);
    const afterMove = await all();
    await rollup.clear();
    expect(await all()).toEqual(afterMove);
    // And the figures did move with the case (so the test would notice a stale day).
    expect(afterMove).not.toEqual(live);

    // An event landing on a built day un-marks that day.
    await rollup.catchUp(now);
    const day = (await rollup.plan({ from, to })).days[3] as string;
    await t.db.query(
      `INSERT INTO case_events (case_id, seq, action, actor_id, actor_role, at, from_status, to_status, data, effects)
       VALUES ($1, 9999, 'supervise', 'x', 'leader', $2, 'closed', 'closed', '{}', '[]')`,
      [m.id, new Date(`${day}T12:00:00+08:00`)],
    );
    expect((await rollup.plan({ from, to })).days).not.toContain(day);
    await t.db.query('DELETE FROM case_events WHERE case_id = $1 AND seq = 9999', [m.id]);
    await t.db.query('UPDATE cases SET unit_grid_code = $2, area_code = $2 WHERE id = $1', [m.id, m.grid]);
    await rollup.clear();
  });

  it('reads whole months from the monthly tier with exactly the figures of the live scan', async () => {
    const s = service();
    const rollup = assessmentRepository(t.db).rollup;
    await rollup.clear();
    const at = (x: string) => new Date(`${x}+08:00`);
    const sep = at('2026-09-01T00:00:00');
    const oct = at('2026-10-01T00:00:00');
    const nov = at('2026-11-01T00:00:00');
    const dec = at('2026-12-01T00:00:00');
    // Building with a later clock: November (the seeded history) and December 1st have ended.
    const later = at('2026-12-02T06:00:00');
    const periods = [
      { from: oct, to: dec }, // two whole months
      { from: nov, to: dec }, // one, against October
      // A partial day and whole days of September, October and November, a whole and a partial day of December.
      { from: at('2026-09-20T05:00:00'), to: at('2026-12-02T21:00:00') },
      { from: at('2026-10-15T00:00:00'), to: at('2026-11-20T00:00:00') }, // no whole month
    ];
    // Scopes of at most 6, 9 and 12 characters: the district, street and community totals serve
    // the scopes they can, the others read the monthly places.
    const scopes = ['3101', '310101002', '310101002001'];
    const levels = ['district', 'street', 'community', 'grid'] as const;
    const all = async () => {
      const out = [];
      for (const period of periods)
        for (const scope of scopes)
          for (const level of levels) out.push(await s.assess({ level, period, scope, compare: 'previous' }));
      return out;
    };
    const live = await all();
    const filedInNovember = live[4]?.rows.find((r) => r.subject === '310101')?.counters.filed ?? 0;
    expect(filedInNovember).toBeGreaterThan(20);

    const built = await rollup.catchUp(later, sep);
    expect(built.months).toEqual(['2026-09-01', '2026-10-01', '2026-11-01']);
    expect(await rollup.plan(periods[0] as (typeof periods)[0])).toEqual({
      months: ['2026-10-01', '2026-11-01'],
      days: [],
      live: [],
    });
    const partial = await rollup.plan(periods[2] as (typeof periods)[0]);
    expect(partial.months).toEqual(['2026-10-01', '2026-11-01']);
    expect(partial.days).toHaveLength(10 + 1); // September 21–30, December 1st
    expect(partial.live).toHaveLength(2); // from 05:00 on September 20th, until 21:00 on December 2nd
    expect((await rollup.plan(periods[3] as (typeof periods)[0])).months).toEqual([]);
    expect(await rollup.readTotals('district', ['2026-11-01'], '3101')).not.toBeNull();
    expect(await rollup.readTotals('district', ['2026-11-01'], '310101002')).toBeNull();
    expect(await all()).toEqual(live);

    // A case moved to another unit grid: its days are un-marked, and with them November.
    const moved = await t.db.query<{ id: number; grid: string; days: number }>(
      `SELECT c.id::int AS id, c.unit_grid_code AS grid,
         count(DISTINCT ((e.at + interval '8 hours') AT TIME ZONE 'UTC')::date)::int AS days
       FROM cases c JOIN case_events e ON e.case_id = c.id
       WHERE c.unit_grid_code IS NOT NULL AND e.at >= $1 AND e.at < $2 GROUP BY 1, 2 ORDER BY 1 LIMIT 1`,
      [nov, dec],
    );
    const m = moved.rows[0];
    if (!m) throw new Error('no case to move');
    const other = m.grid.endsWith('001') ? `${m.grid.slice(0, -3)}002` : `${m.grid.slice(0, -3)}001`;
    await t.db.query('UPDATE cases SET unit_grid_code = $2, area_code = $2 WHERE id = $1', [m.id, other]);
    const afterMove = await rollup.plan({ from: nov, to: dec });
    expect(afterMove.months).toEqual([]);
    expect(afterMove.days).toHaveLength(30 - m.days);
    expect((await rollup.plan({ from: oct, to: nov })).months).toEqual(['2026-10-01']);
    const movedLive = await all();
    expect(movedLive).not.toEqual(live);
    // Rebuilt: November again from the monthly tier, with the case in its new place.
    expect((await rollup.catchUp(later, sep)).months).toEqual(['2026-11-01']);
    expect((await rollup.plan({ from: nov, to: dec })).months).toEqual(['2026-11-01']);
    expect(await all()).toEqual(movedLive);
    await rollup.clear();
    expect(await all()).toEqual(movedLive);

    // An event landing on a day of a built month un-marks the day and the month.
    await rollup.catchUp(later, sep);
    await t.db.query(
      `INSERT INTO case_events (case_id, seq, action, actor_id, actor_role, at, from_status, to_status, data, effects)
       VALUES ($1, 9999, 'supervise', 'x', 'leader', $2, 'closed', 'closed', '{}', '[]')`,
      [m.id, at('2026-11-05T12:00:00')],
    );
    const afterEvent = await rollup.plan({ from: nov, to: dec });
    expect(afterEvent.months).toEqual([]);
    expect(afterEvent.days).not.toContain('2026-11-05');
    expect(afterEvent.days).toHaveLength(29);
    await t.db.query('DELETE FROM case_events WHERE case_id = $1 AND seq = 9999', [m.id]);
    await t.db.query('UPDATE cases SET unit_grid_code = $2, area_code = $2 WHERE id = $1', [m.id, m.grid]);
    await rollup.clear();
  }, 120_000);
});
