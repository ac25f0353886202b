import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDepartmentHandlers, makeMatrix, seedCaseHistory } from '../src/seed/loop.factory.ts';
import type { Server } from '../src/server.ts';
import { makeLoopCity } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { testServer } from './http-harness.ts';

describe(`the demo city's case history on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    await t.db.exec(`
      INSERT INTO departments (code, name, area_code) VALUES
        ('310101-hw', '黄浦区环卫所', '310101'), ('310101-cgzf', '黄浦区城管执法局', '310101'),
        ('310101-szdl', '黄浦区市政道路', '310101'), ('310101-cyzx', '黄浦区城运中心', '310101')
      ON CONFLICT DO NOTHING;
      DELETE FROM responsibility_matrix;`);
    // The server's own jobs (the deadline sweep, every 30 s) run on the history's "now": on the
    // real clock a slow run would 督办 overdue cases weeks after the history ends.
    server = await testServer(t.db, () => new Date('2026-11-22T06:00:00Z'));
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('drives weeks of cases through the real engine: most closed, some open at every step', async () => {
    expect(await makeMatrix(t.db, '310101')).toBeGreaterThanOrEqual(8);
    await makeDepartmentHandlers(t.db, '310101');
    const now = new Date('2026-11-22T06:00:00Z');
    const r = await seedCaseHistory(t.db, server.geo, {
      districtCode: '310101',
      days: 6,
      perDay: 8,
      now,
      attachmentsDir: path.join(os.tmpdir(), `onegrid-history-${process.pid}`),
    });
    expect(r.cases).toBeGreaterThan(40);
    const { rows } = await t.db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM cases GROUP BY status',
    );
    const by = Object.fromEntries(rows.map((x) => [x.status, x.n]));
    expect(by.closed).toBeGreaterThan(r.cases / 2);
    expect(Object.keys(by).length).toBeGreaterThanOrEqual(3);
    // Every closed case's timeline runs from the report to the close, with a real photo on the handling.
    const bad = await t.db.query(
      `SELECT c.id FROM cases c WHERE c.status = 'closed' AND NOT EXISTS (
         SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action = 'handle' AND jsonb_array_length(e.photos) = 1
           AND EXISTS (SELECT 1 FROM attachments a WHERE a.id = e.photos->>0 AND a.case_id = c.id AND a.mime = 'image/png'))`,
    );
    expect(bad.rows).toEqual([]);
    const first = await t.db.query<{ action: string }>(
      'SELECT DISTINCT action FROM case_events WHERE seq = 1',
    );
    expect(first.rows.map((x) => x.action)).toEqual(['report']);
    const future = await t.db.query('SELECT 1 FROM case_events WHERE at > $1', [now]);
    expect(future.rows).toEqual([]);
  });
});
