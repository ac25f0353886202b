import type { Config } from '../config.ts';
import type { Db } from './db.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

/** Opens the database the configuration names: PostgreSQL when DATABASE_URL is set, else PGlite. */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'> & Partial<Pick<Config, 'db'>>,
): Promise<Db> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl, config.db ?? {});
  return openPglite({ dataDir: config.dataDir });
}
