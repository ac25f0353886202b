import { formatDemoAccounts, loadConfig, migrate, openDatabase, seedDemo } from '@onegrid/server';
import type { Command } from 'commander';

export function registerSeed(program: Command) {
  const seed = program.command('seed').description('load demo data');
  seed
    .command('demo')
    .description('the demo city: 黄浦区 in full detail (district), or all of Shanghai (city)')
    .option('--scale <scale>', 'district or city', 'district')
    .option('--force', 'replace the city already in the database')
    .action(async (opts: { scale: string; force?: boolean }) => {
      if (opts.scale !== 'district' && opts.scale !== 'city') {
        throw new Error(`--scale must be district or city, not "${opts.scale}"`);
      }
      const config = loadConfig();
      const db = await openDatabase(config);
      try {
        await migrate(db, (m) => process.stderr.write(`${m}\n`));
        const result = await seedDemo(db, {
          scale: opts.scale,
          force: opts.force ?? false,
          sharedDataDir: config.sharedDataDir,
          progress: (m) => process.stderr.write(`${m}\n`),
        });
        const c = result.counts;
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
