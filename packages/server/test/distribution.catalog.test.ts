/**
 * The tables of `schema_distribution` (0065) can be distributed by their column without a change
 * of schema: read from the catalog (pg_constraint, pg_index, information_schema), on both engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';

interface Promise_ {
  table: string;
  column: string;
}

describe(`distribution-ready tables on ${testEngine}`, () => {
  let t: TestDb;
  let promised: Promise_[];
  beforeAll(async () => {
    t = await openTestDb();
    promised = (
      await t.db.query<Promise_>(
        'SELECT table_name AS "table", column_name AS "column" FROM schema_distribution ORDER BY 1',
      )
    ).rows;
  });
  afterAll(async () => t?.close());

  it('names the readings and their rollups, by device', () => {
    expect(promised).toEqual([
      { table: 'readings', column: 'device_id' },
      { table: 'readings_1h', column: 'device_id' },
      { table: 'readings_1m', column: 'device_id' },
      { table: 'readings_latest', column: 'device_id' },
    ]);
  });

  it('has the column NOT NULL in each table', async () => {
    for (const p of promised) {
      const r = await t.db.query<{ nullable: string }>(
        `SELECT is_nullable AS nullable FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`,
        [p.table, p.column],
      );
      expect(r.rows, `${p.table}.${p.column}`).toEqual([{ nullable: 'NO' }]);
    }
  });

  /** Every unique index (primary keys and unique constraints have one) of the tables and their partitions. */
  async function uniqueIndexes() {
    const r = await t.db.query<{ parent: string; rel: string; index: string; has: boolean }>(
      `WITH RECURSIVE tree (parent, rel) AS (
         SELECT d.table_name, c.oid FROM schema_distribution d
           JOIN pg_class c ON c.relname = d.table_name AND c.relnamespace = current_schema()::regnamespace
         UNION ALL
         SELECT tree.parent, i.inhrelid FROM tree JOIN pg_inherits i ON i.inhparent = tree.rel)
       SELECT tree.parent, tree.rel::regclass::text AS rel, x.indexrelid::regclass::text AS index,
              EXISTS (SELECT 1 FROM pg_attribute a
                       WHERE a.attrelid = tree.rel AND a.attname = d.column_name
                         AND a.attnum = ANY (x.indkey::int2[])) AS has
         FROM tree JOIN schema_distribution d ON d.table_name = tree.parent
         JOIN pg_index x ON x.indrelid = tree.rel AND x.indisunique
        ORDER BY 1, 2, 3`,
    );
    return r.rows;
  }

  it('includes the column in every primary key, unique constraint and unique index (partitions too)', async () => {
    // A partition, so the check sees one (readings are partitioned by day).
    await t.db.query("SELECT readings_ensure_partition('2026-01-01')");
    const rows = await uniqueIndexes();
    // Every table has its primary key at least, and the partition its copy of it.
    expect(new Set(rows.map((x) => x.parent))).toEqual(new Set(promised.map((p) => p.table)));
    expect(rows.some((x) => x.rel.endsWith('readings_p20260101'))).toBe(true);
    expect(rows.filter((x) => !x.has)).toEqual([]);
  });

  it('includes the column in every foreign key from and to those tables', async () => {
    const r = await t.db.query<{ name: string; from: string; to: string; fromHas: boolean; toHas: boolean }>(
      `SELECT k.conname AS name, k.conrelid::regclass::text AS "from", k.confrelid::regclass::text AS "to",
              EXISTS (SELECT 1 FROM pg_attribute a JOIN schema_distribution d ON a.attname = d.column_name
                       WHERE a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
                         AND d.table_name = k.conrelid::regclass::text) AS "fromHas",
              EXISTS (SELECT 1 FROM pg_attribute a JOIN schema_distribution d ON a.attname = d.column_name
                       WHERE a.attrelid = k.confrelid AND a.attnum = ANY (k.confkey)
                         AND d.table_name = k.confrelid::regclass::text) AS "toHas"
         FROM pg_constraint k
        WHERE k.contype = 'f'
          AND (k.conrelid::regclass::text IN (SELECT table_name FROM schema_distribution)
               OR k.confrelid::regclass::text IN (SELECT table_name FROM schema_distribution))`,
    );
    const distributed = new Set(promised.map((p) => p.table));
    const bad = r.rows.filter(
      (k) => (distributed.has(k.from) && !k.fromHas) || (distributed.has(k.to) && !k.toHas),
    );
    expect(bad).toEqual([]);
  });

  it('catches a unique index without the column (the check is not vacuous)', async () => {
    await t.db.exec('CREATE UNIQUE INDEX readings_1h_probe ON readings_1h (metric, bucket, min)');
    try {
      const bad = (await uniqueIndexes()).filter((x) => !x.has).map((x) => x.index);
      expect(bad).toEqual([expect.stringMatching(/readings_1h_probe$/)]);
    } finally {
      await t.db.exec('DROP INDEX readings_1h_probe');
    }
  });
});
