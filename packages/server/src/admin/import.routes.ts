/**
 * Import upload (数据导入): the same import as `onegrid import`, from a browser. The upload is
 * written to a temporary file and read through once without writing anything, so a file that
 * is broken as a whole (malformed JSON, not UTF-8, wrong format) is refused with its report and
 * nothing half-written; then it is imported, row problems going to the report as with the CLI.
 * City-wide administrators only: an import changes the city model for everyone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type Static, Type } from '@sinclair/typebox';
import { audit } from '../audit/audit.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { importRows, openFileImport } from '../import/import.service.ts';
import { importKinds } from '../import/kinds/index.ts';
import { finishRun, startRun } from '../import/runs.ts';
import { ImportFileError, type ImportReport } from '../import/types.ts';
import { ImportQuery, ImportReportSchema, ImportRunSchema } from './admin.schema.ts';

type ImportRun = Static<typeof ImportRunSchema>;
type Report = Omit<Static<typeof ImportReportSchema>, 'run'> & { run: ImportRun };

export const defaultImportUploadBytes = 50 * 1024 * 1024;
const shownRejects = 200;

const runColumns = `id::int AS "id", kind, source, format, crs, status, started_at AS "startedAt",
  finished_at AS "finishedAt", rows_read AS "rowsRead", imported, rejected, error`;

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
const runJson = (r: ImportRun): ImportRun => ({
  ...r,
  startedAt: iso(r.startedAt)!,
  finishedAt: iso(r.finishedAt),
});

async function readReport(db: Db, id: number): Promise<Report | undefined> {
  const r = await db.query<ImportRun & { report: Partial<ImportReport> & { rejectsStored?: number } }>(
    `SELECT ${runColumns}, report FROM import_runs WHERE id = $1`,
    [id],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  const { report, ...run } = row;
  const rep = Array.isArray(report) ? {} : report;
  return {
    run: runJson(run),
    rejects: (rep.rejects ?? []).slice(0, shownRejects),
    rejectsStored: rep.rejectsStored ?? rep.rejects?.length ?? 0,
    rejectsByProblem: (rep.rejectsByProblem ?? {}) as Record<string, number>,
    warnings: rep.warnings ?? [],
  };
}

/** Keeps the name's extension and CRS hint (`….gcj02.geojson`), drops anything path-like. */
function safeName(name: string): string {
  const base = path.basename(name).replace(/[^\w.\-\u4e00-\u9fff]/g, '_');
  return base.slice(-120) || 'upload';
}

export function importRoutes(
  app: App,
  { db, maxBytes, refreshGeo }: { db: Db; maxBytes: number; refreshGeo: () => Promise<void> },
) {
  app.addSchema(ImportRunSchema);
  app.addSchema(ImportReportSchema);

  app.post(
    '/api/v1/admin/import',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['admin'],
        summary:
          'Upload a GeoJSON or CSV file (multipart field "file") and import it as `onegrid import` would; returns the import report',
        consumes: ['multipart/form-data'],
        querystring: ImportQuery,
        response: { 200: Type.Ref('ImportReport'), ...errors(400, 401, 403, 413, 415) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      if (p.scopeCode.length !== 4) {
        throw new AppError('forbidden', 'Imports change the whole city model: only city-wide administrators');
      }
      if (!request.isMultipart()) {
        throw new AppError(
          'unsupported_media_type',
          'Send the file as multipart/form-data in a field named "file"',
        );
      }
      const part = await request.file({ limits: { fileSize: maxBytes, files: 1 } });
      if (!part)
        throw new AppError('validation_failed', 'No file in the upload', {
          field: 'file',
          problem: 'required',
        });
      const name = safeName(part.filename || 'upload');
      const ext = path.extname(name).toLowerCase();
      if (['.zip', '.shp', '.dbf', '.shx', '.kml', '.xlsx', '.xls'].includes(ext)) {
        part.file.resume();
        throw new AppError(
          'unsupported_media_type',
          `${ext} files are not read by the import; convert to GeoJSON first (e.g. ogr2ogr -f GeoJSON -t_srs EPSG:4326 out.geojson in.shp)`,
          { field: 'file', problem: 'format' },
        );
      }
      const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'onegrid-upload-'));
      try {
        const file = path.join(dir, name);
        await pipeline(part.file, fs.createWriteStream(file));
        if (part.file.truncated) {
          throw new AppError('payload_too_large', `The file is larger than the limit of ${maxBytes} bytes`, {
            field: 'file',
            problem: 'tooLarge',
          });
        }
        const kind = request.query.kind;
        const req = { kind, file, ...(request.query.crs ? { crs: request.query.crs } : {}) };
        // Pass 1: read every row without writing, so a file broken as a whole changes nothing.
        try {
          const dry = await openFileImport(req);
          for await (const _row of dry.source.rows) {
            // parsing is the check
          }
        } catch (e) {
          if (!(e instanceof ImportFileError)) throw e;
          const message = e.message.replaceAll(file, name).replaceAll(dir, '');
          const runId = await startRun(db, {
            kind,
            source: name,
            crs: request.query.crs ?? 'wgs84',
            format: ext.slice(1) || 'unknown',
          });
          await finishRun(
            db,
            {
              runId,
              kind,
              source: name,
              crs: request.query.crs ?? 'wgs84',
              format: 'rows',
              status: 'failed',
              rowsRead: 0,
              imported: 0,
              rejected: 0,
              rejects: [],
              rejectsByProblem: {},
              warnings: [],
              error: message,
              durationMs: 0,
              rowsPerSecond: 0,
            },
            [],
          );
          throw new AppError('validation_failed', message, {
            field: 'file',
            problem: 'badFile',
            report: await readReport(db, runId),
          });
        }
        // Pass 2: the import itself.
        const opened = await openFileImport(req);
        const report = await importRows(db, kind, opened.source.rows, {
          crs: opened.crs,
          source: name,
          format: opened.source.format,
          warnings: opened.warnings,
        });
        if (
          report.imported > 0 &&
          (importKinds as Record<string, { changesGeo?: boolean }>)[kind]?.changesGeo
        )
          await refreshGeo();
        // An import commits in batches, so its entry follows the last batch (with the run id).
        await audit.record(db, {
          action: 'admin.import',
          object: `import-run:${report.runId}`,
          details: { kind, file: name, imported: report.imported, rejected: report.rejected },
        });
        return (await readReport(db, report.runId))!;
      } finally {
        await fs.promises.rm(dir, { recursive: true, force: true });
      }
    },
  );

  app.get(
    '/api/v1/admin/import/runs',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['admin'],
        summary: 'Past import runs, newest first (administrators)',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) }),
        response: { 200: Type.Array(Type.Ref('ImportRun')), ...errors(401, 403) },
      },
    },
    async (request) => {
      principalOf(request);
      const r = await db.query<ImportRun>(`SELECT ${runColumns} FROM import_runs ORDER BY id DESC LIMIT $1`, [
        request.query.limit ?? 50,
      ]);
      return r.rows.map(runJson);
    },
  );

  app.get(
    '/api/v1/admin/import/runs/:id',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['admin'],
        summary:
          'The report of one import run: counts, rejects by problem, the first rejects (administrators)',
        params: Type.Object({ id: Type.Integer() }),
        response: { 200: Type.Ref('ImportReport'), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      principalOf(request);
      const r = await readReport(db, request.params.id);
      if (!r) throw new AppError('not_found', `Import run ${request.params.id} not found`);
      return r;
    },
  );
}
