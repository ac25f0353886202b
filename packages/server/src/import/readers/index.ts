/**
 * Opens an import file: checks it exists, is not empty or too big, is UTF-8, and picks the
 * reader by extension (or by its first character). Problems with the file as a whole throw
 * ImportFileError before any row is read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Crs, ImportFileError, type RawRow } from '../types.ts';
import { readCsv } from './csv.ts';
import { readGeoJson } from './geojson.ts';

export interface ImportSource {
  format: 'geojson' | 'csv';
  rows: AsyncIterable<RawRow>;
  bytesRead(): number;
  totalBytes: number;
}

/** 4 GB by default: files are streamed, the limit only guards against pointing at the wrong thing. */
export const defaultMaxBytes = 4 * 1024 ** 3;

function sniffDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', '\t', ';', '|']) {
    const n = firstLine.split(d).length - 1;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

export async function openImportFile(
  file: string,
  opts: { crs: Crs; maxBytes?: number; format?: 'geojson' | 'csv' },
): Promise<ImportSource> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ImportFileError(
      code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file}: ${(e as Error).message}`,
    );
  }
  if (!stat.isFile()) throw new ImportFileError(`${file} is not a file`);
  if (stat.size === 0) throw new ImportFileError(`${file} is empty`);
  const maxBytes = opts.maxBytes ?? defaultMaxBytes;
  if (stat.size > maxBytes) {
    throw new ImportFileError(
      `${file} is ${stat.size} bytes, more than the limit of ${maxBytes} (ONEGRID_IMPORT_MAX_BYTES)`,
    );
  }
  const head = Buffer.alloc(Math.min(stat.size, 64 * 1024));
  const fh = await fs.promises.open(file, 'r').catch((e: Error) => {
    throw new ImportFileError(`cannot read ${file}: ${e.message}`);
  });
  try {
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  let text: string;
  try {
    // `stream: true` tolerates a character cut in half at the end of the sample.
    text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    throw new ImportFileError(
      `${file} is not UTF-8 text (GBK from a spreadsheet?): convert it first, e.g. iconv -f GBK -t UTF-8`,
    );
  }
  const ext = path.extname(file).toLowerCase();
  const format =
    opts.format ??
    (['.geojson', '.json'].includes(ext)
      ? 'geojson'
      : ['.csv', '.tsv', '.txt'].includes(ext)
        ? 'csv'
        : text
              .replace(/^\uFEFF/, '')
              .trimStart()
              .startsWith('{')
          ? 'geojson'
          : 'csv');
  const input = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
  const rows =
    format === 'geojson'
      ? readGeoJson(input)
      : readCsv(input, {
          crs: opts.crs,
          delimiter:
            ext === '.tsv' ? '\t' : sniffDelimiter(text.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? ''),
        });
  return { format, rows, bytesRead: () => input.bytesRead, totalBytes: stat.size };
}
