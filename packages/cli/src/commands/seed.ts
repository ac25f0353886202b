import {
  formatDemoAccounts,
  loadConfig,
  measurePart,
  migrate,
  openDatabase,
  type PartFigure,
  seedCityYear,
  seedDemo,
} from '@onegrid/server';
import type { Command } from 'commander';

export function registerSeed(program: Command) {
  const seed = program.command('seed').description('load demo data');
  seed
    .command('demo')
    .description('the demo city: 黄浦区 in full detail (district), or all of Shanghai (city)')
    .option('--scale <scale>', 'district or city', 'district')
    .option('--force', 'replace the city already in the database')
    .option(
      '--fraction <f>',
      'city scale: this share of the components, cases, devices (0–1; 1 = Shanghai)',
      '1',
    )
    .option('--cases <n>', 'city scale: cases over the last year (default 5,800,000 × fraction; 0: none)')
    .option('--devices <n>', 'city scale: IoT devices (default 100,000 × fraction; 0: none)')
    .option('--readings-per-device <n>', 'city scale: readings per device over the last day', '288')
    .option(
      '--grid-growth <x>',
      "unit grid cells this many times larger (13.5 ≈ Shanghai's 40,625 grids)",
      '1',
    )
    .action(async (opts: SeedOptions) => {
      if (opts.scale !== 'district' && opts.scale !== 'city') {
        throw new Error(`--scale must be district or city, not "${opts.scale}"`);
      }
      const fraction = Number(opts.fraction);
      if (!(fraction > 0 && fraction <= 1)) throw new Error('--fraction must be in (0, 1]');
      const count = (v: string | undefined, full: number, name: string) => {
        const n = v === undefined ? Math.round(full * fraction) : Number(v);
        if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
        return n;
      };
      const cases = count(opts.cases, 5_800_000, 'cases');
      const devices = count(opts.devices, 100_000, 'devices');
      const perDevice = count(opts.readingsPerDevice, 288, 'readings-per-device');
      const config = loadConfig();
      // Bulk loading, not requests: no statement timeouts (a city's year of cases is minutes of SQL).
      const db = await openDatabase({
        ...config,
        db: { ...config.db, statementTimeoutMs: 0, idleInTransactionTimeoutMs: 0 },
      });
      try {
        await migrate(db, (m) => process.stderr.write(`${m}\n`));
        const say = (m: string) => process.stderr.write(`${m}\n`);
        const figures: PartFigure[] = [];
        let result!: Awaited<ReturnType<typeof seedDemo>>;
        await measurePart(
          db,
          'city (areas, grids, departments, components, users)',
          async () => {
            result = await seedDemo(db, {
              scale: opts.scale as 'district' | 'city',
              force: opts.force ?? false,
              sharedDataDir: config.sharedDataDir,
              ...(opts.scale === 'city' && fraction < 1 ? { componentDensity: fraction } : {}),
              ...(Number(opts.gridGrowth) > 1 ? { gridGrowth: Number(opts.gridGrowth) } : {}),
              progress: say,
            });
            return result.counts.components;
          },
          figures,
          say,
        );
        const c = result.counts;
        if (result.seeded && opts.scale === 'city') {
          figures.push(
            ...(await seedCityYear(db, { cases, devices, readingsPerDevice: perDevice, progress: say })),
          );
          console.log(
            `City parts (fraction ${fraction}):\n${figures
              .map(
                (f) =>
                  `  ${f.part.padEnd(52)} ${f.rows.toLocaleString('en-US').padStart(12)} rows ` +
                  `${f.seconds.toFixed(1).padStart(8)} s ${(f.bytes / 1024 ** 2).toFixed(0).padStart(7)} MB`,
              )
              .join('\n')}`,
          );
        }
        if (!result.seeded) {
          console.log(
            `Nothing to do: ${result.reason} (${c.districts} districts, ${c.unitGrids} unit grids, ` +
              `${c.components} components).`,
          );
          return;
        }
        console.log(
          `Demo city loaded in ${(result.ms / 1000).toFixed(1)} s (geometry: ${result.geometry}, ` +
            `community names: ${result.communityNames}).`,
        );
        console.log(
          formatDemoAccounts([
            'admin',
            'leader',
            'operator',
            'dispatcher',
            'handler',
            'inspector',
            'hp-operator',
          ]),
        );
      } finally {
        await db.close();
      }
    });
}

interface SeedOptions {
  scale: string;
  force?: boolean;
  fraction: string;
  cases?: string;
  devices?: string;
  readingsPerDevice?: string;
  gridGrowth: string;
}
