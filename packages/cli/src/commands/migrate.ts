import { loadCategoryCatalogue, loadConfig, migrate, openDatabase } from '@onegrid/server';
import type { Command } from 'commander';

export function registerMigrate(program: Command) {
  program
    .command('migrate')
    .description('bring the database schema up to date (serve does this too)')
    .action(async () => {
      const config = loadConfig();
      const db = await openDatabase(config);
      try {
        const applied = await migrate(db, (m) => console.log(m));
        console.log(applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date');
        const catalogue = await loadCategoryCatalogue(db);
        console.log(
          `category catalogue: ${catalogue.rows} rows (${catalogue.inserted} added, ${catalogue.updated} updated)`,
        );
      } finally {
        await db.close();
      }
    });
}
