import { type Db, openDatabase, openPglite } from '@onegrid/server';

/**
 * A database for one benchmark run: an in-memory PGlite by default; with DATABASE_URL, a scratch
 * database created on that server and dropped afterwards (the named one is never touched).
 */
export async function openBenchDb(
  label: string,
): Promise<{ db: Db; engine: string; url?: string; drop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await openPglite();
    return { db, engine: 'PGlite', drop: () => db.close() };
  }
  const name = `onegrid_bench_${label}_${process.pid}`;
  const admin = await openDatabase({ databaseUrl: url, dataDir: '' });
  await admin.exec(`DROP DATABASE IF EXISTS ${name}`);
  await admin.exec(`CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: u.toString(), dataDir: '' });
  return {
    db,
    engine: 'PostgreSQL',
    url: u.toString(),
    async drop() {
      await db.close();
      await admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}

export const positiveInt = (v: string | boolean | undefined, fallback: number, name: string): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
