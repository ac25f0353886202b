/**
 * `onegrid audit verify` as an operator runs it: a real process against a database holding an
 * audit chain; exit 0 while intact, non-zero naming the first entry changed or removed by SQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../server/src/audit/audit.ts';
import type { Db } from '../../server/src/db/db.ts';
import { openPglite } from '../../server/src/db/pglite.ts';
import { openTestDb, snapshotBlob, type TestDb, testEngine } from '../../server/test/db-harness.ts';
import { onegridOn as onegrid } from './cli-harness.ts';

describe(`onegrid audit verify (${testEngine})`, () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'onegrid-audit-cli-'));
  let pg: TestDb | undefined;
  // PGlite: one process holds a data dir at a time, so the test opens it between the runs.
  const withDb = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
    if (pg) return fn(pg.db);
    const db = await openPglite({ dataDir });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  };
  beforeAll(async () => {
    if (testEngine === 'postgres') pg = await openTestDb();
    else await (await openPglite({ dataDir, loadDataDir: await snapshotBlob() })).close();
  }, 120_000);
  afterAll(async () => {
    await pg?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits 0 on an intact chain, then names the first entry changed or removed by hand', async () => {
    await withDb(async (db) => {
      for (let i = 1; i <= 6; i++) await audit.record(db, { action: 'config.cli-test', details: { i } });
    });
    const ok = await onegrid(['audit', 'verify'], dataDir, pg?.url);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^audit chain intact: 6 entries \(seq 1–6\), head [0-9a-f]{64}$/m);

    await withDb((db) =>
      db.transaction(async (tx) => {
        await tx.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change');
        await tx.query(`UPDATE audit_log SET details = '{"i": 42}' WHERE seq = 3`);
        await tx.query('DELETE FROM audit_log WHERE seq = 5');
        await tx.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change');
      }),
    );
    const broken = await onegrid(['audit', 'verify'], dataDir, pg?.url);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toBe(
      'audit chain broken at entry 3: entry 3 was changed (its hash does not match)\n',
    );
  }, 240_000);
});
