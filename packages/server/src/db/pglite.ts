import fs from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { postgis } from '@electric-sql/pglite-postgis';
import type { Db, Queryable, QueryResult } from './db.ts';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by another OneGrid process (pid ${pid}). ` +
        'Stop that server first, or point this command at it with DATABASE_URL in server mode.',
    );
  }
}

function wrap(pg: PGlite | Transaction): Queryable {
  return {
    engine: 'pglite',
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const r = await pg.query<T>(sql, params as unknown[] | undefined);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(sql: string) {
      await pg.exec(sql);
    },
  };
}

export interface PgliteOptions {
  /** Directory for persistent data; in memory when undefined. */
  dataDir?: string;
  /** A gzipped data dir dump (from `dumpDataDir`) to start from: how tests get a migrated DB fast. */
  loadDataDir?: Blob;
}

/** Only one process may open a PGlite data dir; a lock file with our pid says who holds it. */
function takeLock(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockFile = `${dataDir}/onegrid.lock`;
  try {
    const pid = Number(fs.readFileSync(lockFile, 'utf8'));
    if (pid && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        throw new DataDirLockedError(dataDir, pid);
      } catch (e) {
        if (e instanceof DataDirLockedError) throw e;
        // The holder is gone: a stale lock from a crash.
      }
    }
  } catch (e) {
    if (e instanceof DataDirLockedError) throw e;
  }
  fs.writeFileSync(lockFile, String(process.pid));
  return () => {
    try {
      if (fs.readFileSync(lockFile, 'utf8') === String(process.pid)) fs.unlinkSync(lockFile);
    } catch {
      /* already gone */
    }
  };
}

export async function openPglite(options: PgliteOptions = {}): Promise<Db & { pglite: PGlite }> {
  const release = options.dataDir ? takeLock(options.dataDir) : () => {};
  const pgDir = options.dataDir ? `${options.dataDir}/pgdata` : undefined;
  const pg = new PGlite({
    ...(pgDir ? { dataDir: pgDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    extensions: { postgis, pg_trgm },
  });
  try {
    await pg.waitReady;
    await pg.exec('CREATE EXTENSION IF NOT EXISTS postgis');
  } catch (e) {
    release();
    throw e;
  }
  const base = wrap(pg);
  return {
    ...base,
    pglite: pg,
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return pg.transaction((tx) => fn(wrap(tx)));
    },
    async copyFrom(table, columns, rows) {
      // PGlite reads COPY ... FROM '/dev/blob' from the blob passed with the query.
      const chunks: string[] = [];
      let n = 0;
      for await (const line of rows as AsyncIterable<string>) {
        chunks.push(line);
        n++;
      }
      const blob = new Blob(chunks);
      await pg.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`, [], { blob });
      return n;
    },
    async close() {
      await pg.close();
      release();
    },
  };
}
