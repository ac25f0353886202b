import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import type { Db, Queryable, QueryResult } from './db.ts';

// int8 and numeric come back as JS numbers, as they do from PGlite: counts and ids stay in range.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    engine: 'postgres',
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const r = await client.query(sql, params as unknown[] | undefined);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

export async function openPostgres(
  url: string,
  options: { max?: number } = {},
): Promise<Db & { pool: pg.Pool }> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  // An idle client that loses its server must not take the process down.
  pool.on('error', () => {});
  const client = await pool.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS postgis');
  } catch (e) {
    throw new Error(
      `PostGIS is not available in ${new URL(url).pathname.slice(1)}: ${(e as Error).message}. ` +
        'Install it (Debian: apt-get install postgresql-15-postgis-3).',
    );
  } finally {
    client.release();
  }
  return {
    ...wrap(pool),
    pool,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const result = await fn(wrap(c));
        await c.query('COMMIT');
        return result;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        c.release();
      }
    },
    async copyFrom(table, columns, rows) {
      const c = await pool.connect();
      let n = 0;
      try {
        const sink = c.query(copyFromStream(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
        const counted = (async function* () {
          for await (const line of rows as AsyncIterable<string>) {
            n++;
            yield line;
          }
        })();
        await pipeline(Readable.from(counted), sink);
        return n;
      } finally {
        c.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
