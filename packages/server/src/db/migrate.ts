import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './db.ts';

export const migrationsDir = path.resolve(import.meta.dirname, '../../migrations');

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(dir = migrationsDir): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_.+\.sql$/.test(f))
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name), 'utf8');
      return { name, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex').slice(0, 16) };
    });
}

/** A fingerprint of all migrations: test snapshots and template databases are keyed on it. */
export function migrationsFingerprint(dir = migrationsDir): string {
  return crypto
    .createHash('sha256')
    .update(
      listMigrations(dir)
        .map((m) => `${m.name}:${m.checksum}`)
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 12);
}

/**
 * Applies pending migrations in order, each in its own transaction, recorded in
 * `schema_migrations`. A changed migration that was already applied is an error, never a guess.
 */
export async function migrate(db: Db, log: (msg: string) => void = () => {}): Promise<string[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied: string[] = [];
  await db.transaction(
    async (tx) => {
      // Two servers starting at once on one PostgreSQL must not both migrate.
      await tx.query('SELECT pg_advisory_xact_lock(727274)');
      const done = new Map(
        (
          await tx.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations')
        ).rows.map((r) => [r.name, r.checksum]),
      );
      for (const m of listMigrations()) {
        const previous = done.get(m.name);
        if (previous !== undefined) {
          if (previous !== m.checksum) {
            throw new Error(
              `Migration ${m.name} was changed after it was applied (checksum ${previous} → ${m.checksum}). ` +
                'Add a new migration instead of editing an applied one.',
            );
          }
          continue;
        }
        log(`applying migration ${m.name}`);
        await tx.exec(m.sql);
        await tx.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [
          m.name,
          m.checksum,
        ]);
        applied.push(m.name);
      }
      // A migration may rewrite a large table: the request timeouts do not apply to it.
    },
    { unbounded: true },
  );
  return applied;
}
