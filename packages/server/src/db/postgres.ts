import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import { DatabaseUnavailableError, databaseFailure } from './availability.ts';
import type { Db, PoolStats, Queryable, QueryResult, TransactionOptions } from './db.ts';

// int8 and numeric come back as JS numbers, as they do from PGlite: counts and ids stay in range.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

/**
 * Waits for `p` at most `ms` (0: for ever). A server that stalls never answers, so
 * `statement_timeout` alone cannot end the wait; past it the connection is given up.
 */
async function bounded<T>(p: Promise<T>, ms: number, onLate: () => void): Promise<T> {
  if (!ms) return p;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          onLate();
          reject(new DatabaseUnavailableError(`no answer from PostgreSQL within ${ms} ms`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function wrapClient(c: pg.PoolClient, limitMs: () => number, broken: (e: Error) => void): Queryable {
  const run = async (sql: string, params?: readonly unknown[]) => {
    const q = c.query(sql, params as unknown[] | undefined);
    // The late answer (or the error of the destroyed connection) has no one left to hear it.
    q.catch(() => {});
    return bounded(q, limitMs(), () => broken(new DatabaseUnavailableError()));
  };
  return {
    engine: 'postgres',
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const r = await run(sql, params);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string) {
      await run(sql);
    },
  };
}

export interface PostgresTimeouts {
  /** Waiting for a connection (a new one, or a free one from a full pool); 0 waits for ever. */
  connectTimeoutMs?: number;
  /**
   * PostgreSQL's `statement_timeout`; the client gives up a second after it, dropping the
   * connection (a stalled server never answers). 0: no limit.
   */
  statementTimeoutMs?: number;
  /** PostgreSQL's `idle_in_transaction_session_timeout`. */
  idleInTransactionTimeoutMs?: number;
}

export async function openPostgres(
  url: string,
  options: { max?: number } & PostgresTimeouts = {},
): Promise<Db & { pool: pg.Pool }> {
  const statement = options.statementTimeoutMs ?? 0;
  const clientLimit = statement ? statement + 1000 : 0;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    ...(options.connectTimeoutMs ? { connectionTimeoutMillis: options.connectTimeoutMs } : {}),
    ...(statement ? { statement_timeout: statement } : {}),
    ...(options.idleInTransactionTimeoutMs
      ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs }
      : {}),
  });

  /** Runs `fn` on one pooled connection; one that lost its server is dropped, not pooled again. */
  async function withClient<T>(
    fn: (q: Queryable, c: pg.PoolClient) => Promise<T>,
    limit: () => number = () => clientLimit,
  ): Promise<T> {
    const c = await pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(
        wrapClient(c, limit, (e) => {
          broken = e;
        }),
        c,
      );
    } catch (e) {
      if (databaseFailure(e) === 'down') broken ??= e as Error;
      throw e;
    } finally {
      c.release(broken ?? false);
    }
  }

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
    engine: 'postgres',
    query: (sql, params) => withClient((q) => q.query(sql, params)),
    exec: (sql) => withClient((q) => q.exec(sql)),
    pool,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, txOptions: TransactionOptions = {}): Promise<T> {
      let unbounded = false;
      return withClient(
        async (q) => {
          await q.query('BEGIN');
          try {
            if (txOptions.unbounded) {
              await q.query('SET LOCAL statement_timeout = 0');
              await q.query('SET LOCAL idle_in_transaction_session_timeout = 0');
              unbounded = true;
            }
            const result = await fn(q);
            await q.query('COMMIT');
            return result;
          } catch (e) {
            // A connection that lost its server is dropped by withClient; no ROLLBACK to wait for.
            if (databaseFailure(e) !== 'down') await q.query('ROLLBACK').catch(() => {});
            throw e;
          }
        },
        () => (unbounded ? 0 : clientLimit),
      );
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
    poolStats(): PoolStats {
      return {
        total: pool.totalCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
        max: options.max ?? 10,
      };
    },
    async close() {
      await pool.end();
    },
  };
}
