/**
 * The import use case, for any kind and any source: rows in (an async iterable of raw rows),
 * report out. Batches are written in their own transactions, so a run can be repeated (every
 * kind upserts on its code) and a failure loses at most the batch in hand. No HTTP here: the
 * CLI calls `importFile`, the seeder `importFile`/`importRows`, an admin upload route later
 * `importRows` with a reader over the request body.
 */
import type { Db } from '../db/db.ts';
import { importKinds } from './kinds/index.ts';
import type { Item, Ref, RunContext } from './kinds/kind.ts';
import { type ImportSource, openImportFile } from './readers/index.ts';
import { finishRun, startRun, updateRunCounts } from './runs.ts';
import {
  type Crs,
  ImportFileError,
  type ImportKindName,
  type ImportOptions,
  type ImportProgress,
  type ImportReport,
  type ProgressListener,
  type RawRow,
  type Reject,
} from './types.ts';
import { crsHintFromName } from './validate.ts';

export const defaultBatchSize = 5000;

/** Which referenced codes exist: the database, then rows this run has written. */
class RefIndex {
  private known = new Map<Ref['table'], Set<string>>();

  constructor(private readonly db: Db) {}

  private set(table: Ref['table']): Set<string> {
    let s = this.known.get(table);
    if (!s) {
      s = new Set();
      this.known.set(table, s);
    }
    return s;
  }

  add(table: Ref['table'], codes: Iterable<string>) {
    const s = this.set(table);
    for (const c of codes) s.add(c);
  }

  async load(refs: Ref[]) {
    const missing = new Map<Ref['table'], Set<string>>();
    for (const r of refs) {
      if (this.set(r.table).has(r.code)) continue;
      const m = missing.get(r.table) ?? new Set<string>();
      missing.set(r.table, m);
      m.add(r.code);
    }
    for (const [table, codes] of missing) {
      const found = await this.db.query<{ code: string }>(
        `SELECT code FROM ${table} WHERE code = ANY($1::text[])`,
        [[...codes]],
      );
      this.add(
        table,
        found.rows.map((r) => r.code),
      );
    }
  }

  has(table: Ref['table'], code: string): boolean {
    return this.set(table).has(code);
  }
}

export async function importRows(
  db: Db,
  kindName: ImportKindName,
  rows: AsyncIterable<RawRow> | Iterable<RawRow>,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const kind = importKinds[kindName];
  const crs: Crs = options.crs ?? 'wgs84';
  const batchSize = Math.max(1, options.batchSize ?? defaultBatchSize);
  const maxKept = options.maxRejectsKept ?? 1000;
  const storedMax = Math.max(maxKept, options.storedRejects ?? 10_000);
  const source = options.source ?? 'rows';
  const format = options.format ?? 'rows';
  const started = Date.now();
  const warnings = [...(options.warnings ?? [])];
  const rejects: Reject[] = [];
  const byProblem: ImportReport['rejectsByProblem'] = {};
  let rowsRead = 0;
  let imported = 0;
  let rejected = 0;
  let lastProgress = 0;
  let lastRunUpdate = started;

  const runId = await startRun(db, { kind: kindName, source, crs, format });
  const ctx: RunContext = {
    runId,
    crs,
    repairAreaTolerance: options.repairAreaTolerance ?? 0.02,
    warn: (m) => {
      if (warnings.length < 200) warnings.push(m);
    },
    ...(options.secret ? { secret: options.secret } : {}),
  };
  const addReject = (r: Reject) => {
    rejected++;
    byProblem[r.problem] = (byProblem[r.problem] ?? 0) + 1;
    if (rejects.length < storedMax) rejects.push(r);
  };
  const sortedRejects = () => [...rejects].sort((a, b) => a.row - b.row);
  const report = (status: ImportReport['status'], error?: string): ImportReport => {
    const durationMs = Date.now() - started;
    return {
      runId,
      kind: kindName,
      source,
      crs,
      format,
      status,
      rowsRead,
      imported,
      rejected,
      rejects: sortedRejects().slice(0, maxKept),
      rejectsByProblem: byProblem,
      warnings,
      ...(error ? { error } : {}),
      durationMs,
      rowsPerSecond: durationMs > 0 ? Math.round((rowsRead * 1000) / durationMs) : rowsRead,
    };
  };
  const progress = (done: boolean, listener: ProgressListener | undefined) => {
    const now = Date.now();
    if (!listener || (!done && now - lastProgress < (options.progressIntervalMs ?? 0))) return;
    lastProgress = now;
    const elapsedMs = now - started;
    const p: ImportProgress = {
      kind: kindName,
      rowsRead,
      imported,
      rejected,
      elapsedMs,
      rowsPerSecond: elapsedMs > 0 ? Math.round((rowsRead * 1000) / elapsedMs) : 0,
      done,
      ...(options.bytesRead ? { bytesRead: options.bytesRead() } : {}),
      ...(options.totalBytes !== undefined ? { totalBytes: options.totalBytes } : {}),
    };
    listener(p);
  };

  const refs = new RefIndex(db);
  const seen = new Map<string, number>();
  let batch: Item<unknown>[] = [];
  let run: Awaited<ReturnType<typeof kind.begin>> | undefined;
  let inflight: Promise<void> | undefined;

  const flush = async () => {
    if (batch.length === 0) return;
    let items = batch;
    batch = [];
    if (kind.dedupe === 'database') seen.clear();
    if (kind.refs) {
      const wanted = items.flatMap((it) => kind.refs!(it.record));
      await refs.load(wanted);
      const inBatch = new Set<string>();
      items = items.filter((it) => {
        for (const ref of kind.refs!(it.record)) {
          if (refs.has(ref.table, ref.code) || (kind.provides === ref.table && inBatch.has(ref.code)))
            continue;
          addReject({
            row: it.row,
            key: it.key,
            problem: ref.problem,
            reason: `${ref.what} ${ref.code} is neither in the database nor earlier in this file`,
          });
          return false;
        }
        inBatch.add(it.key);
        return true;
      });
    }
    if (items.length === 0) return;
    // A kind whose rows refer to nothing written by this run lets the next batch be read and
    // checked while this one is written: with PostgreSQL, JavaScript and the database overlap.
    if (inflight) await inflight;
    inflight = write(items);
    // Handled when awaited (next batch or the end); this keeps Node from calling it unhandled meanwhile.
    inflight.catch(() => {});
    if (kind.refs) {
      const p = inflight;
      inflight = undefined;
      await p;
    }
  };

  const write = async (items: Item<unknown>[]) => {
    const failed = await run!.write(db, items);
    for (const r of failed) addReject(r);
    imported += items.length - failed.length;
    if (kind.provides) {
      const bad = new Set(failed.map((r) => r.row));
      refs.add(
        kind.provides,
        items.filter((it) => !bad.has(it.row)).map((it) => it.key),
      );
    }
    progress(false, options.onProgress);
    if (Date.now() - lastRunUpdate > 5000) {
      lastRunUpdate = Date.now();
      await updateRunCounts(db, runId, { rowsRead, imported, rejected });
    }
  };

  try {
    run = await kind.begin(db, ctx);
    for await (const raw of rows) {
      rowsRead++;
      // Parsing a buffered file runs on microtasks alone; a macrotask turn now and then lets the
      // socket I/O of the batch being written (COPY to PostgreSQL) go on meanwhile.
      if (inflight && rowsRead % 256 === 0) await new Promise<void>((r) => setImmediate(r));
      if (raw.problem) {
        addReject({ row: raw.row, key: null, problem: 'malformed_row', reason: raw.problem });
        continue;
      }
      const p = kind.prepare(raw, crs);
      if (!p.ok) {
        addReject({ row: raw.row, key: p.key, problem: p.problem, reason: p.reason });
        continue;
      }
      const first = seen.get(p.key);
      if (first !== undefined) {
        addReject({
          row: raw.row,
          key: p.key,
          problem: 'duplicate',
          reason: `${p.key} appears earlier in this file (row ${first})`,
        });
        continue;
      }
      seen.set(p.key, raw.row);
      batch.push({ row: raw.row, key: p.key, record: p.record });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    await inflight;
  } catch (e) {
    await inflight?.catch(() => {});
    // Batches already committed stay: every kind upserts, so the fixed file can simply be re-run.
    const message = e instanceof Error ? e.message : String(e);
    const partial = report('failed', message);
    await finishRun(db, partial, sortedRejects()).catch(() => {});
    await run?.end().catch(() => {});
    if (imported > 0 && kind.changesGeo) await bumpGeoRevision(db).catch(() => {});
    if (e instanceof ImportFileError) e.report = partial;
    throw e;
  }
  await run.end();
  if (imported > 0 && kind.changesGeo) await bumpGeoRevision(db);
  const done = report('done');
  await finishRun(db, done, sortedRejects());
  progress(true, options.onProgress);
  return done;
}

/** In-memory locate indexes compare this number and reload when it moves. */
export async function bumpGeoRevision(db: Pick<Db, 'query'>) {
  await db.query('UPDATE geo_revision SET revision = revision + 1');
}

export interface ImportFileRequest {
  kind: ImportKindName;
  file: string;
  /** The CRS of the file's coordinates; when absent, what the file name says (….gcj02.geojson), else WGS-84. */
  crs?: Crs;
  format?: 'geojson' | 'csv';
  maxBytes?: number;
  batchSize?: number;
}

/** A file checked and opened, not yet read: lets the CLI report a missing file before opening the database. */
export interface OpenedImport {
  req: ImportFileRequest;
  crs: Crs;
  warnings: string[];
  source: ImportSource;
}

export async function openFileImport(req: ImportFileRequest): Promise<OpenedImport> {
  const hint = crsHintFromName(req.file);
  const crs = req.crs ?? hint ?? 'wgs84';
  const warnings: string[] = [];
  if (req.crs && hint && hint !== req.crs) {
    warnings.push(`the file name says ${hint} but --crs is ${req.crs}; coordinates were read as ${req.crs}`);
  }
  const source = await openImportFile(req.file, {
    crs,
    ...(req.maxBytes ? { maxBytes: req.maxBytes } : {}),
    ...(req.format ? { format: req.format } : {}),
  });
  return { req, crs, warnings, source };
}

type FileImportOptions = Pick<
  ImportOptions,
  'progressIntervalMs' | 'maxRejectsKept' | 'repairAreaTolerance' | 'secret'
>;

/** Imports a GeoJSON or CSV file (or one opened with `openFileImport`). */
export async function importFile(
  db: Db,
  req: ImportFileRequest | OpenedImport,
  onProgress?: ProgressListener,
  options: FileImportOptions = {},
): Promise<ImportReport> {
  const opened = 'source' in req ? req : await openFileImport(req);
  const { source } = opened;
  return importRows(db, opened.req.kind, source.rows, {
    ...options,
    crs: opened.crs,
    source: opened.req.file,
    format: source.format,
    warnings: opened.warnings,
    ...(opened.req.batchSize ? { batchSize: opened.req.batchSize } : {}),
    ...(onProgress ? { onProgress } : {}),
    bytesRead: source.bytesRead,
    totalBytes: source.totalBytes,
  });
}
