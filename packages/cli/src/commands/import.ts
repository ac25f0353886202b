import fs from 'node:fs';
import {
  type Crs,
  crsNames,
  defaultBatchSize,
  ImportFileError,
  type ImportProgress,
  type ImportReport,
  importFile,
  importKindNames,
  importKinds,
  isCrs,
  isImportKind,
  loadConfig,
  migrate,
  openDatabase,
  openFileImport,
} from '@onegrid/server';
import type { Command } from 'commander';

const crsHelp = `
Coordinates (--crs):
  wgs84   GPS, OpenStreetMap, most GIS exports (what OneGrid stores)
  gcj02   Amap/AutoNavi, Tencent, Aliyun DataV ("Mars" coordinates, 300–600 m off in Shanghai)
  bd09    Baidu maps
  Without --crs the file name decides (….gcj02.geojson), else wgs84. Nothing in the numbers
  tells GCJ-02 from WGS-84 for sure: a wrong guess shifts everything by a few hundred metres
  and still passes every check, so say what the source is. CSV files with gcj02_lng/gcj02_lat
  and wgs84_lng/wgs84_lat columns are read in the CRS you name.

Formats: GeoJSON FeatureCollection (.geojson/.json) or CSV (.csv/.tsv; points from lng/lat
columns, polygons from a WKT or GeoJSON "geometry" column). Files are streamed; re-running
an import updates rows by code instead of duplicating them.`;

interface ImportCliOptions {
  crs?: string;
  batchSize: string;
  maxErrors: string;
  json?: boolean;
  strict?: boolean;
  tokens?: string;
}

const fmt = (n: number) => n.toLocaleString('en-US');

function progressLine(p: ImportProgress): string {
  const pct =
    p.totalBytes && p.bytesRead !== undefined ? ` ${Math.floor((100 * p.bytesRead) / p.totalBytes)}%` : '';
  return (
    `  ${p.kind}:${pct} ${fmt(p.rowsRead)} rows read, ${fmt(p.imported)} imported, ` +
    `${fmt(p.rejected)} rejected, ${fmt(p.rowsPerSecond)} rows/s`
  );
}

export function formatReport(r: ImportReport, maxReasons: number): string {
  const lines = [
    `import ${r.kind} from ${r.source} (${r.format}, ${r.crs}) — run ${r.runId}: ${r.status}`,
    `  rows read  ${fmt(r.rowsRead)}`,
    `  imported   ${fmt(r.imported)}`,
    `  rejected   ${fmt(r.rejected)}${
      r.rejected
        ? `  (${Object.entries(r.rejectsByProblem)
            .map(([k, v]) => `${k} ${fmt(v)}`)
            .join(', ')})`
        : ''
    }`,
    `  time       ${(r.durationMs / 1000).toFixed(1)} s, ${fmt(r.rowsPerSecond)} rows/s`,
  ];
  const shown = r.rejects.slice(0, maxReasons);
  if (shown.length > 0) {
    lines.push(
      `first ${shown.length} rejected row${shown.length === 1 ? '' : 's'} (row: GeoJSON feature or CSV line):`,
    );
    const w = Math.max(...shown.map((x) => String(x.row).length));
    const kw = Math.max(...shown.map((x) => (x.key ?? '—').length));
    for (const x of shown) {
      lines.push(`  row ${String(x.row).padStart(w)}  ${(x.key ?? '—').padEnd(kw)}  ${x.reason}`);
    }
    if (r.rejected > shown.length) {
      lines.push(
        `  … ${fmt(r.rejected - shown.length)} more (all reasons are in import_runs, id ${r.runId})`,
      );
    }
  }
  if (r.warnings.length > 0) {
    lines.push('warnings:', ...r.warnings.slice(0, maxReasons).map((w) => `  ${w}`));
    if (r.warnings.length > maxReasons) lines.push(`  … ${r.warnings.length - maxReasons} more`);
  }
  if (r.error) lines.push(`error: ${r.error}`);
  return lines.join('\n');
}

export function registerImport(program: Command) {
  program
    .command('import <kind> <file>')
    .description(
      `import ${importKindNames.join(', ')} from GeoJSON or CSV; reports rows read, imported, rejected`,
    )
    .option('--crs <crs>', `coordinate system of the file: ${crsNames.join(', ')} (see below)`)
    .option('--batch-size <n>', 'rows per transaction', String(defaultBatchSize))
    .option('--max-errors <n>', 'rejected rows to list with their reasons', '20')
    .option('--json', 'print the report as JSON on stdout')
    .option('--strict', 'exit with status 2 when any row was rejected')
    .option(
      '--tokens <file>',
      "devices: where the new devices' tokens go (CSV id,token; created with mode 0600, never overwritten)",
    )
    .addHelpText(
      'after',
      `\nKinds:\n${importKindNames.map((k) => `  ${k.padEnd(12)} ${importKinds[k].summary}`).join('\n')}\n${crsHelp}`,
    )
    .action(async (kind: string, file: string, opts: ImportCliOptions) => {
      if (!isImportKind(kind)) {
        throw new Error(`unknown kind "${kind}"; kinds: ${importKindNames.join(', ')}`);
      }
      if (opts.crs !== undefined && !isCrs(opts.crs)) {
        throw new Error(`unknown --crs "${opts.crs}"; use ${crsNames.join(', ')}`);
      }
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new Error('--batch-size must be a positive integer');
      const maxErrors = Math.max(0, Number(opts.maxErrors) || 0);
      const maxBytesEnv = process.env.ONEGRID_IMPORT_MAX_BYTES;
      const maxBytes = maxBytesEnv ? Number(maxBytesEnv) : undefined;
      if (maxBytes !== undefined && !(Number.isInteger(maxBytes) && maxBytes > 0)) {
        throw new Error(`ONEGRID_IMPORT_MAX_BYTES must be a positive integer, got "${maxBytesEnv}"`);
      }
      // A device's token is shown once: it goes to a new file only its owner can read.
      let tokens: number | undefined;
      if (kind === 'devices') {
        if (!opts.tokens)
          throw new Error(
            "import devices needs --tokens <file>: each new device's token is written there, once",
          );
        try {
          tokens = fs.openSync(opts.tokens, 'wx', 0o600);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          throw new Error(
            code === 'EEXIST'
              ? `${opts.tokens} exists; tokens are never written over (give a new file)`
              : `cannot create ${opts.tokens}: ${(e as Error).message}`,
          );
        }
        fs.writeSync(tokens, 'id,token\n');
      }
      const config = loadConfig();
      // The file is checked before the database opens: a typo fails at once, not after a PGlite start.
      const opened = await openFileImport({
        kind,
        file,
        batchSize,
        ...(opts.crs ? { crs: opts.crs as Crs } : {}),
        ...(process.env.ONEGRID_IMPORT_MAX_BYTES
          ? { maxBytes: Number(process.env.ONEGRID_IMPORT_MAX_BYTES) }
          : {}),
      });
      const db = await openDatabase(config);
      const tty = Boolean(process.stderr.isTTY);
      let report: ImportReport;
      try {
        await migrate(db);
        process.stderr.write(`importing ${kind} from ${file} (${opened.source.format}, ${opened.crs})\n`);
        report = await importFile(
          db,
          opened,
          (p) => {
            if (p.done) {
              if (tty) process.stderr.write('\r\x1b[K');
              return;
            }
            process.stderr.write(tty ? `\r\x1b[K${progressLine(p)}` : `${progressLine(p)}\n`);
          },
          {
            progressIntervalMs: tty ? 200 : 5000,
            maxRejectsKept: Math.max(maxErrors, 100),
            ...(tokens !== undefined
              ? { secret: (id: string, token: string) => fs.writeSync(tokens, `${id},${token}\n`) }
              : {}),
          },
        );
      } catch (e) {
        if (tty) process.stderr.write('\r\x1b[K');
        if (e instanceof ImportFileError && e.report) {
          process.stderr.write(`${formatReport(e.report, maxErrors)}\n`);
        }
        throw e;
      } finally {
        if (tokens !== undefined) fs.closeSync(tokens);
        await db.close();
      }
      if (opts.json) console.log(JSON.stringify(report, null, 2));
      else console.log(formatReport(report, maxErrors));
      if (opts.strict && report.rejected > 0) process.exitCode = 2;
    });
}
