/**
 * One SQL dialect, two engines: PostgreSQL + PostGIS through `pg` (server mode) or PGlite with
 * its PostGIS extension (embedded). Everything above this file sees only `Db`.
 */
export type Engine = 'pglite' | 'postgres';

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  readonly engine: Engine;
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Runs several statements without parameters (migrations, DDL). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Bulk load of text-format COPY data (tab separated). The fast path for imports and benchmarks. */
  copyFrom(
    table: string,
    columns: readonly string[],
    rows: AsyncIterable<string> | Iterable<string>,
  ): Promise<number>;
  /** Connections of the pool (PostgreSQL); undefined on PGlite (one in-process connection). */
  poolStats?(): PoolStats;
  close(): Promise<void>;
}

export interface TransactionOptions {
  /** Without the statement and idle-in-transaction timeouts (migrations, large imports). */
  unbounded?: boolean;
}

export interface PoolStats {
  total: number;
  idle: number;
  /** Callers waiting for a free connection. */
  waiting: number;
  max: number;
}

/** Escapes one value for PostgreSQL's COPY text format. */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function copyLine(values: readonly unknown[]): string {
  return `${values.map(copyValue).join('\t')}\n`;
}
