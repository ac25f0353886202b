/**
 * import_runs: one row per run, so an administrator can read later what was imported and
 * what was rejected and why. The stored report keeps up to 10,000 rejects (in row order).
 */
import type { Db } from '../db/db.ts';
import type { Crs, ImportKindName, ImportReport } from './types.ts';

export async function startRun(
  db: Pick<Db, 'query'>,
  run: { kind: ImportKindName; source: string; crs: Crs; format: string },
): Promise<number> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO import_runs (kind, source, crs, format) VALUES ($1, $2, $3, $4) RETURNING id`,
    [run.kind, run.source, run.crs, run.format],
  );
  return Number(r.rows[0]!.id);
}

export async function updateRunCounts(
  db: Pick<Db, 'query'>,
  runId: number,
  c: { rowsRead: number; imported: number; rejected: number },
) {
  await db.query(`UPDATE import_runs SET rows_read = $2, imported = $3, rejected = $4 WHERE id = $1`, [
    runId,
    c.rowsRead,
    c.imported,
    c.rejected,
  ]);
}

/** `rejects`: all the run kept (up to its stored limit), in row order. */
export async function finishRun(
  db: Pick<Db, 'query'>,
  report: ImportReport,
  rejects: ImportReport['rejects'],
) {
  const { rejectsByProblem, warnings, durationMs, rowsPerSecond } = report;
  await db.query(
    `UPDATE import_runs SET finished_at = now(), rows_read = $2, imported = $3, rejected = $4, status = $5,
       error = $6, report = $7::jsonb WHERE id = $1`,
    [
      report.runId,
      report.rowsRead,
      report.imported,
      report.rejected,
      report.status,
      report.error ?? null,
      JSON.stringify({
        rejects,
        rejectsStored: rejects.length,
        rejectsByProblem,
        warnings,
        durationMs,
        rowsPerSecond,
      }),
    ],
  );
}

export interface ImportRunRow {
  id: number;
  kind: string;
  source: string;
  crs: string;
  status: string;
  rows_read: number;
  imported: number;
  rejected: number;
  error: string | null;
  report: {
    rejects: ImportReport['rejects'];
    rejectsByProblem: ImportReport['rejectsByProblem'];
    warnings: string[];
  };
}

export async function getRun(db: Pick<Db, 'query'>, runId: number): Promise<ImportRunRow | undefined> {
  const r = await db.query<ImportRunRow>(
    `SELECT id, kind, source, crs, status, rows_read, imported, rejected, error, report FROM import_runs WHERE id = $1`,
    [runId],
  );
  return r.rows[0];
}
