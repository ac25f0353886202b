/**
 * Data sharing (共享交换): a service account granted `share:<dataset>` reads the dataset
 * incrementally — rows in its area scope, in the order of the dataset's cursor, each field given
 * in full up to the account's clearance, masked one class above it, left out beyond — and every
 * read is in the audit trail (docs/sharing.md "Reading a dataset").
 */
import {
  type Clearance,
  clearanceAllows,
  clearances,
  type DatasetField,
  type DatasetId,
  datasetById,
  maskContact,
  maskName,
  scrubText,
} from '@onegrid/domain';
import { recordServiceAccess } from '../audit/audit.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import type { ServicePrincipal } from '../service-accounts/access.ts';
import { datasetSql } from './share.datasets.ts';

/** Where a reader is in a dataset: the last row's cursor time (µs, as PostgreSQL prints it) and key. */
interface Cursor {
  t: string | null;
  k: string;
}

/** A timestamp as PostgreSQL prints it: `2026-12-08 02:00:00.123456+00`. */
const timeText = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)?$/;

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

export function decodeCursor(s: string, withTime: boolean): Cursor {
  const bad = () =>
    new AppError('validation_failed', 'since is not a cursor this dataset gave out', {
      field: 'since',
      problem: 'invalid',
    });
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const o = c as Partial<Cursor>;
  if (!o || typeof o.k !== 'string' || o.k.length > 200) throw bad();
  if (withTime ? typeof o.t !== 'string' || !timeText.test(o.t) : o.t !== null) throw bad();
  return { t: o.t ?? null, k: o.k };
}

/** A point rounded to 0.001° (about 100 m). */
const roughPoint = (v: unknown) => {
  const p = v as { lng: number; lat: number } | null;
  return p ? { lng: Math.round(p.lng * 1000) / 1000, lat: Math.round(p.lat * 1000) / 1000 } : null;
};

const masks = {
  name: (v: unknown) => maskName(v as string | null),
  contact: (v: unknown) => maskContact(v as string | null),
  text: (v: unknown) => scrubText(v as string | null),
  point: roughPoint,
};

/** A field as this clearance may have it: in full, masked (one class above the clearance), or null. */
export function presentField(field: DatasetField, value: unknown, clearance: Clearance): unknown {
  if (clearanceAllows(clearance, field.class)) return value;
  const gap = clearances.indexOf(field.class) - clearances.indexOf(clearance);
  if (field.mask && gap === 1) return masks[field.mask](value);
  return null;
}

export interface ShareOptions {
  /**
   * Rows changed less than this long ago are not read yet, so a transaction that commits a
   * little after its change time is not jumped over by a cursor (docs/sharing.md).
   */
  settleSeconds: number;
}

export function shareService({ db, options }: { db: Db; options: ShareOptions }) {
  return {
    async read(
      sa: ServicePrincipal,
      id: DatasetId,
      q: { since?: string | undefined; limit: number },
      route: string,
    ): Promise<{ items: Record<string, unknown>[]; next: string | null }> {
      const dataset = datasetById(id)!;
      const sql = datasetSql[id];
      const since = q.since ? decodeCursor(q.since, sql.ts !== null) : undefined;
      const params: unknown[] = [sa.scopeCode];
      const where = [
        `(${sql.area} LIKE $1 || '%' OR (${sql.area} IS NULL AND length($1) <= 4))`,
        ...(sql.where ? [sql.where] : []),
      ];
      if (sql.ts) where.push(`${sql.ts} <= now() - make_interval(secs => ${Number(options.settleSeconds)})`);
      if (since) {
        if (sql.ts) {
          params.push(since.t, since.k);
          where.push(`(${sql.ts}, ${sql.key}) > ($2::timestamptz, $3::${sql.keyType})`);
        } else {
          params.push(since.k);
          where.push(`${sql.key} > $2::${sql.keyType}`);
        }
      }
      params.push(q.limit);
      const cols = dataset.fields.map((f) => `${sql.select[f.name]} AS "${f.name}"`);
      const order = sql.ts ? `${sql.ts}, ${sql.key}` : sql.key;
      const { rows } = await db.query<Record<string, unknown> & { _t: string | null; _k: string }>(
        `SELECT ${cols.join(', ')}, ${sql.ts ? `${sql.ts}::text` : 'NULL'} AS _t, (${sql.key})::text AS _k
           FROM ${sql.from} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT $${params.length}`,
        params,
      );
      const items = rows.map((r) =>
        Object.fromEntries(dataset.fields.map((f) => [f.name, presentField(f, r[f.name], sa.clearance)])),
      );
      const last = rows.at(-1);
      const next = last ? encodeCursor({ t: last._t, k: last._k }) : (q.since ?? null);
      await recordServiceAccess(db, {
        account: sa.clientId,
        route,
        object: `dataset:${id}`,
        details: {
          since: q.since ?? null,
          count: items.length,
          clearance: sa.clearance,
          scope: sa.scopeCode,
        },
      });
      return { items, next };
    },
  };
}
export type ShareService = ReturnType<typeof shareService>;
