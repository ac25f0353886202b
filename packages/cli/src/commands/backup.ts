/**
 * `onegrid backup <file>` / `onegrid restore <file>`: the embedded mode's database and attachments
 * in one file. Server mode (DATABASE_URL) is backed up with PostgreSQL's own tools
 * (docs/operations.md, "Backups").
 */
import path from 'node:path';
import { backupEmbedded, loadConfig, restoreEmbedded } from '@onegrid/server';
import type { Command } from 'commander';

function embeddedOnly(): ReturnType<typeof loadConfig> {
  const config = loadConfig();
  if (config.databaseUrl) {
    throw new Error(
      'backup and restore are for the embedded database; with DATABASE_URL use pg_dump / pg_restore or base backups (docs/operations.md)',
    );
  }
  return config;
}

export function registerBackup(program: Command) {
  program
    .command('backup <file>')
    .description('write the embedded database and attachments to one file (stop the server first)')
    .action(async (file: string) => {
      const config = embeddedOnly();
      const target = path.resolve(file);
      const m = await backupEmbedded({
        dataDir: config.dataDir,
        attachmentsDir: config.attachmentsDir,
        file: target,
      });
      console.log(
        `backup written to ${target}: ${m.migrations.length} migrations, ${m.attachments} attachment file(s)`,
      );
    });

  program
    .command('restore <file>')
    .description('restore a backup into the embedded data dir (empty, or --force to set the old one aside)')
    .option('--force', 'move an existing database aside (pgdata.before-restore-…) and restore')
    .action(async (file: string, o: { force?: boolean }) => {
      const config = embeddedOnly();
      const m = await restoreEmbedded({
        dataDir: config.dataDir,
        attachmentsDir: config.attachmentsDir,
        file: path.resolve(file),
        force: Boolean(o.force),
      });
      console.log(`restored the backup of ${m.createdAt} into ${config.dataDir}`);
    });
}
