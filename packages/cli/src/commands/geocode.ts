import fs from 'node:fs';
import {
  crsNames,
  geocodeCsv,
  geocodeService,
  isCrs,
  loadConfig,
  migrate,
  openDatabase,
} from '@onegrid/server';
import type { Command } from 'commander';

interface GeocodeCliOptions {
  out?: string;
  column?: string;
  crs: string;
  delimiter: string;
}

/** `onegrid geocode <file>`: a spreadsheet's addresses → standard addresses and points. */
export function registerGeocode(program: Command) {
  program
    .command('geocode')
    .description('add the standard address and point of each row of a CSV (docs/addresses.md)')
    .argument('<file>', 'CSV with an address column (address, 地址, full_address … or --column)')
    .option('-o, --out <file>', 'where to write (default: <file> with .geocoded.csv)')
    .option('--column <name>', 'the column holding the address text')
    .option('--crs <crs>', `coordinates written: ${crsNames.join(', ')}`, 'wgs84')
    .option('--delimiter <char>', 'field separator', ',')
    .action(async (file: string, opts: GeocodeCliOptions) => {
      if (!isCrs(opts.crs)) throw new Error(`unknown --crs "${opts.crs}"; use ${crsNames.join(', ')}`);
      if (!fs.existsSync(file)) throw new Error(`file not found: ${file}`);
      const out = opts.out ?? file.replace(/(\.csv|\.tsv|\.txt)?$/i, '.geocoded.csv');
      const db = await openDatabase(loadConfig());
      try {
        await migrate(db);
        const started = performance.now();
        const r = await geocodeCsv(geocodeService({ db }), file, out, {
          crs: opts.crs,
          delimiter: opts.delimiter,
          ...(opts.column ? { column: opts.column } : {}),
        });
        const s = (performance.now() - started) / 1000;
        process.stderr.write(
          `geocoded ${r.rows} rows from column "${r.column}": ${r.found} found (${r.interpolated} interpolated along a road), ` +
            `${r.rows - r.found} not found; ${Math.round(r.rows / Math.max(s, 1e-3))} rows/s → ${out}\n`,
        );
      } finally {
        await db.close();
      }
    });
}
