/**
 * What one import kind provides. Adding a kind (devices, with the IoT work) means writing one
 * of these and listing it in `kinds/index.ts`; the service does batching, duplicates,
 * references, transactions, progress and the report for every kind alike.
 */
import type { Db, Queryable } from '../../db/db.ts';
import type { Crs, ImportKindName, RawRow, Reject, RejectProblem } from '../types.ts';

export type Prepared<R> =
  | { ok: true; key: string; record: R }
  | { ok: false; key: string | null; problem: RejectProblem; reason: string };

export interface Item<R> {
  row: number;
  key: string;
  record: R;
}

/** A code another table must hold (or an earlier row of this file must have provided). */
export interface Ref {
  table: 'areas' | 'duty_grids';
  code: string;
  problem: 'unknown_parent' | 'unknown_reference';
  /** What it is, for the reason: "parent district", "duty grid". */
  what: string;
}

export interface RunContext {
  runId: number;
  crs: Crs;
  repairAreaTolerance: number;
  /** Notes worth showing beside the counts (a polygon repaired …). */
  warn(message: string): void;
  /**
   * Where a kind hands over a secret made for a row, once (a new device's token); never stored
   * in the run or logged. Absent when the caller has nowhere to put it.
   */
  secret?: (key: string, value: string) => void;
}

/** What a kind keeps for the length of one run (a staging table …). */
export interface KindRun<R> {
  write(db: Db, items: Item<R>[]): Promise<Reject[]>;
  end(): Promise<void>;
}

export interface ImportKind<R> {
  name: ImportKindName;
  /** One line for `onegrid import --help`. */
  summary: string;
  /**
   * How a code repeated in one file is found: `memory` keeps every key of the run (fine for
   * the tens of thousands of areas and grids), `database` marks written rows with the run id
   * (for the millions of components and addresses).
   */
  dedupe: 'memory' | 'database';
  /** Rows of this kind change what `locate` answers: bump geo_revision after an import. */
  changesGeo: boolean;
  /** Which table accepted rows land in, so later rows of the same file may refer to them. */
  provides?: Ref['table'];
  prepare(row: RawRow, crs: Crs): Prepared<R>;
  refs?(record: R): Ref[];
  /** Checks preconditions (a fatal problem throws ImportFileError) and sets up the run. */
  begin(db: Db, ctx: RunContext): Promise<KindRun<R>>;
}

export function reject(row: number, key: string | null, problem: RejectProblem, reason: string): Reject {
  return { row, key, problem, reason };
}

interface PgError {
  code?: string;
  detail?: string;
  constraint?: string;
  message: string;
}

/** A database error as a reason a person can act on. */
export function explainDbError(e: unknown): { problem: RejectProblem; reason: string } {
  const err = (e ?? {}) as PgError;
  const message = err.message ?? String(e);
  switch (err.code) {
    case '23503':
      return { problem: 'unknown_reference', reason: `refers to a missing row: ${err.detail ?? message}` };
    case '23505':
      return { problem: 'duplicate', reason: `already exists: ${err.detail ?? message}` };
    case '23514':
      return { problem: 'bad_value', reason: `breaks the rule ${err.constraint ?? ''}: ${message}`.trim() };
    case '22007':
    case '22008':
    case '22P02':
      return { problem: 'bad_value', reason: message };
    default:
      return { problem: 'database', reason: message };
  }
}

/**
 * Writes a batch in one transaction; when that fails, writes its rows one by one, each in its
 * own transaction, so only the rows that fail are rejected and nothing is half-written.
 */
export async function writeWithFallback<R>(
  db: Db,
  items: Item<R>[],
  write: (tx: Queryable, items: Item<R>[]) => Promise<Reject[]>,
): Promise<Reject[]> {
  try {
    return await db.transaction((tx) => write(tx, items));
  } catch (e) {
    if (items.length === 1) {
      const { problem, reason } = explainDbError(e);
      return [reject(items[0]!.row, items[0]!.key, problem, reason)];
    }
  }
  const out: Reject[] = [];
  for (const item of items) {
    try {
      out.push(...(await db.transaction((tx) => write(tx, [item]))));
    } catch (e) {
      const { problem, reason } = explainDbError(e);
      out.push(reject(item.row, item.key, problem, reason));
    }
  }
  return out;
}

/** Column arrays for `unnest($1::text[], …)`: one array per field, in row order. */
export function columns<R, K extends keyof R>(items: Item<R>[], keys: readonly K[]): unknown[][] {
  return keys.map((k) => items.map((it) => it.record[k] ?? null));
}
