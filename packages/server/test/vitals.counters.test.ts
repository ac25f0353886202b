/**
 * The open-case counters (`0018_vitals_counters.sql`) against the full computation: after every
 * kind of change a case can go through — filed one by one and in bulk, closed, reopened,
 * rejected, merged, deadlines moved, cleared and passed, moved to another community or to none,
 * deleted, a rolled-back transaction, concurrent writers while the mark moves — the figures read
 * from the counters equal a count of every open case, at instants before, at and after the mark.
 */
import { defaultVitalDefinitions } from '@onegrid/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Figure, Figures } from '../src/vitals/vitals.repository.ts';
import { figuresOf, vitalsRepository } from '../src/vitals/vitals.repository.ts';
import { makeLoopCity } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';

const now = new Date('2026-11-23T02:00:00Z');
const at = (hours: number) => new Date(now.getTime() + hours * 3_600_000);
const places = [
  ['310101', '310101002', '310101002001'],
  ['310101', '310101002', '310101002002'],
  ['310104', '310104001', '310104001001'],
  ['310104', '310104001', null],
  ['310105', null, null],
] as const;

/** Every figure the default case indicators need. */
const caseFigures = (t: Date): Figure[] => {
  const m = new Map<string, Figure>();
  for (const d of defaultVitalDefinitions.filter((x) => x.source === 'cases')) {
    const f = figuresOf(d, t);
    for (const x of [f.main, f.of, f.max]) if (x) m.set(x.key, x);
  }
  return [...m.values()];
};

/** Area → figure → value, leaving out zeros (an area with nothing open is absent from a scan). */
const plain = (f: Figures) =>
  Object.fromEntries(
    [...f.areas]
      .map(([area, row]) => [
        area,
        Object.fromEntries(
          f.keys
            .map((k, i) => [k, row[i]] as const)
            .filter(([, v]) => v !== 0 && v !== null && v !== undefined),
        ),
      ])
      .filter(([, m]) => Object.keys(m as object).length > 0)
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );

describe(`open-case counters on ${testEngine}`, () => {
  let t: TestDb;
  let repo: ReturnType<typeof vitalsRepository>;
  let seq = 0;

  /** Inserts cases in one statement: [status, place index, due in hours from now or null]. */
  const insert = async (rows: readonly (readonly [string, number, number | null])[]) => {
    const values = rows.map(([status, place, due]) => {
      const [d, s, c] = places[place]!;
      seq++;
      return [`VC-${seq}`, status, d, s, c, due === null ? null : at(due).toISOString()];
    });
    await t.db.query(
      `INSERT INTO cases (number, status, source, category_code, urgency, description, geom, community_code,
         street_code, district_code, area_code, area_class, snapshot, created_at, updated_at, due_at, closed_at)
       SELECT n, st, 'inspector', '06010', 'normal', 'counters', ST_SetSRID(ST_MakePoint(121.47, 31.23), 4326),
              c, s, d, coalesce(c, s, d), 'A', '{}', $7, $7, due, CASE WHEN st = 'closed' THEN $7::timestamptz END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
              AS x(n, st, d, s, c, due)`,
      [
        values.map((v) => v[0]),
        values.map((v) => v[1]),
        values.map((v) => v[2]),
        values.map((v) => v[3]),
        values.map((v) => v[4]),
        values.map((v) => v[5]),
        at(-48).toISOString(),
      ],
    );
  };

  /** The counters equal the full count, read at instants around the mark and far from it. */
  const expectExact = async () => {
    const mark = (
      await t.db.query<{ mark: string }>('SELECT mark::text AS mark FROM vital_case_counters_mark')
    ).rows[0]!.mark;
    const markAt = new Date(mark);
    const instants = [now, at(-30), at(-1), at(0.5), at(3), at(200), markAt, new Date(markAt.getTime() - 1)];
    for (const i of instants) {
      const figs = caseFigures(i);
      const counted = plain(await repo.figures(figs, i, 'counters'));
      const scanned = plain(await repo.figures(figs, i, 'scan'));
      expect(counted, `at ${i.toISOString()}, mark ${mark}`).toEqual(scanned);
    }
  };

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    repo = vitalsRepository(t.db);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('start equal to the full computation, with the mark where the engine left it', async () => {
    await repo.advanceCaseCounters(now, 0);
    await expectExact();
  });

  it('follow cases filed one at a time and in bulk, open or not, with and without deadlines', async () => {
    await insert([['handling', 0, 5]]);
    await insert([['dispatched', 1, -20]]);
    await insert([
      ['filed', 0, null],
      ['handling', 0, -2],
      ['handling', 2, -0.5],
      ['handling', 2, 1],
      ['closed', 2, -10],
      ['rejected', 1, 2],
      ['merged', 1, -3],
      ['suspended', 3, -1],
      ['handling', 4, 0.25],
      ['handling', 4, 100],
    ]);
    const open = await t.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM cases WHERE status NOT IN ('closed', 'rejected', 'merged')",
    );
    expect(open.rows[0]!.n).toBeGreaterThan(5);
    const city = plain(await repo.figures(caseFigures(now), now))['3101'];
    // Open: 2 filed one at a time, then filed, handling ×5 and suspended from the bulk statement.
    expect(city?.['cases:open:now']).toBe(9);
    // Overdue at now: due −20 h, −2 h, −0.5 h, −1 h (suspended, still open).
    expect(city?.['cases:overdue:now']).toBe(4);
    await expectExact();
  });

  it('follow closing, reopening, rejecting, merging, deadlines moved or cleared, and moves', async () => {
    const ids = (
      await t.db.query<{ id: string }>(
        "SELECT id::text AS id FROM cases WHERE number LIKE 'VC-%' ORDER BY id",
      )
    ).rows;
    const id = (i: number) => ids[i]!.id;
    await t.db.query("UPDATE cases SET status = 'closed', closed_at = $2 WHERE id = $1", [id(0), now]);
    await expectExact();
    await t.db.query("UPDATE cases SET status = 'handling', closed_at = NULL WHERE id = $1", [id(6)]);
    await t.db.query("UPDATE cases SET status = 'rejected' WHERE id = $1", [id(3)]);
    await t.db.query("UPDATE cases SET status = 'merged' WHERE id = $1", [id(4)]);
    await expectExact();
    await t.db.query('UPDATE cases SET due_at = $2 WHERE id = $1', [id(1), at(48)]); // extended
    await t.db.query('UPDATE cases SET due_at = NULL WHERE id = $1', [id(5)]); // paused
    await t.db.query('UPDATE cases SET due_at = $2 WHERE id = $1', [id(2), at(-5)]); // set, already passed
    await expectExact();
    await t.db.query(
      "UPDATE cases SET community_code = '310104001001', street_code = '310104001', district_code = '310104' WHERE id = $1",
      [id(1)],
    );
    await t.db.query('UPDATE cases SET community_code = NULL, street_code = NULL WHERE id = $1', [id(9)]);
    await expectExact();
    // A statement touching every case without changing what counts, and one changing many at once.
    await t.db.query("UPDATE cases SET description = description || '.' WHERE number LIKE 'VC-%'");
    await t.db.query(
      "UPDATE cases SET due_at = due_at - interval '3 hours' WHERE number LIKE 'VC-%' AND due_at IS NOT NULL",
    );
    await expectExact();
  });

  it('follow deletions and forget a rolled-back transaction', async () => {
    await t.db.query(
      "DELETE FROM cases WHERE id = (SELECT min(id) FROM cases WHERE number LIKE 'VC-%' AND status = 'handling')",
    );
    await expectExact();
    const before = plain(await repo.figures(caseFigures(now), now));
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query("UPDATE cases SET status = 'closed' WHERE number LIKE 'VC-%'");
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(plain(await repo.figures(caseFigures(now), now))).toEqual(before);
    await expectExact();
  });

  it('stay exact as the mark moves forward past deadlines, and when read before it', async () => {
    await insert([
      ['handling', 0, 0.1],
      ['handling', 1, 0.2],
      ['handling', 2, 2.5],
    ]);
    await repo.advanceCaseCounters(at(1), 0);
    await expectExact();
    await repo.advanceCaseCounters(at(0.5), 0); // never backwards
    await expectExact();
    await repo.advanceCaseCounters(at(4), 300_000);
    await expectExact();
    await t.db.query("UPDATE cases SET status = 'closed' WHERE number LIKE 'VC-%' AND due_at < $1", [at(2)]);
    await expectExact();
  });

  it('stay exact under concurrent case writes while the mark moves', async () => {
    await insert(Array.from({ length: 40 }, (_, i) => ['handling', i % places.length, (i % 9) - 4] as const));
    const ids = (
      await t.db.query<{ id: string }>(
        "SELECT id::text AS id FROM cases WHERE number LIKE 'VC-%' AND status = 'handling' ORDER BY id",
      )
    ).rows.map((r) => r.id);
    await Promise.all([
      ...ids.map((id, i) =>
        t.db.transaction(async (tx) => {
          await tx.query('UPDATE cases SET due_at = due_at + $2::interval WHERE id = $1', [
            id,
            `${i % 5} hours`,
          ]);
          if (i % 3 === 0) await tx.query("UPDATE cases SET status = 'closed' WHERE id = $1", [id]);
        }),
      ),
      ...[5, 6, 7, 8].map((h) => repo.advanceCaseCounters(at(h), 0)),
    ]);
    await expectExact();
  });

  it('are rebuilt from the cases when they are wrong', async () => {
    await t.db.query('UPDATE vital_case_counters SET open_n = open_n + 7, overdue_n = overdue_n + 1');
    const figs = caseFigures(now);
    expect(plain(await repo.figures(figs, now))).not.toEqual(plain(await repo.figures(figs, now, 'scan')));
    await repo.rebuildCaseCounters(at(-1));
    await expectExact();
    await t.db.exec('TRUNCATE cases CASCADE');
    await expectExact();
    expect((await t.db.query('SELECT 1 FROM vital_case_counters WHERE open_n <> 0')).rowCount).toBe(0);
  });
});
