import type { CategoryKind } from '@onegrid/domain';
import type { Queryable } from '../db/db.ts';
import type { Category, CategoryListQuery } from './categories.schema.ts';

/** A catalogue row as the loader writes it. */
export interface CatalogueRow {
  kind: CategoryKind;
  code: string;
  standard: string;
  majorCode: string;
  majorName: string;
  name: string;
  mapsTo: string | null;
  hint: string | null;
  confusableWith: string[];
  sortOrder: number;
}

const columns = `kind, code, name, standard, major_code AS "majorCode", major_name AS "majorName",
  maps_to AS "mapsTo", local, active, hint, confusable_with AS "confusableWith",
  edited_at IS NOT NULL AS edited, owner_area AS "ownerArea"`;

export function categoriesRepository(db: Queryable) {
  return {
    /** With `scope`: the city's rows and the local ones of the areas above and below it. */
    async list(q: CategoryListQuery, scope?: string): Promise<Category[]> {
      const where: string[] = [];
      const params: unknown[] = [];
      if (scope) {
        params.push(scope);
        where.push(
          `(owner_area IS NULL OR owner_area LIKE $${params.length} || '%' OR $${params.length} LIKE owner_area || '%')`,
        );
      }
      if (q.kind) {
        params.push(q.kind);
        where.push(`kind = $${params.length}`);
      }
      if (q.major) {
        params.push(q.major);
        where.push(`major_code = $${params.length}`);
      }
      if (q.active !== undefined) {
        params.push(q.active);
        where.push(`active = $${params.length}`);
      }
      if (q.q?.trim()) {
        const term = q.q.trim();
        params.push(`${term.replace(/[\\%_]/g, '\\$&')}%`, `%${term.replace(/[\\%_]/g, '\\$&')}%`);
        where.push(`(code LIKE $${params.length - 1} OR name ILIKE $${params.length})`);
      }
      const r = await db.query<Category>(
        `SELECT ${columns} FROM categories ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY CASE WHEN kind LIKE 'legacy-%' THEN 1 ELSE 0 END, kind, sort_order, code`,
        params,
      );
      return r.rows;
    },

    async get(kind: string, code: string): Promise<Category | undefined> {
      const r = await db.query<Category>(`SELECT ${columns} FROM categories WHERE kind = $1 AND code = $2`, [
        kind,
        code,
      ]);
      return r.rows[0];
    },

    async codesUnderMajor(kind: string, major: string): Promise<string[]> {
      const r = await db.query<{ code: string }>(
        'SELECT code FROM categories WHERE kind = $1 AND major_code = $2',
        [kind, major],
      );
      return r.rows.map((x) => x.code);
    },

    async majorName(kind: string, major: string): Promise<string | undefined> {
      const r = await db.query<{ name: string }>(
        `SELECT major_name AS name FROM categories WHERE kind = $1 AND major_code = $2 AND NOT local
          ORDER BY code LIMIT 1`,
        [kind, major],
      );
      return r.rows[0]?.name;
    },

    async findByName(kind: string, name: string): Promise<Category | undefined> {
      const r = await db.query<Category>(`SELECT ${columns} FROM categories WHERE kind = $1 AND name = $2`, [
        kind,
        name,
      ]);
      return r.rows[0];
    },

    async insertLocal(row: {
      kind: string;
      code: string;
      standard: string;
      majorCode: string;
      majorName: string;
      name: string;
      hint: string | null;
      ownerArea: string | null;
    }): Promise<void> {
      await db.query(
        `INSERT INTO categories (kind, code, standard, major_code, major_name, name, hint, local, sort_order, edited_at,
                                 owner_area)
         VALUES ($1, $2, $3, $4, $5, $6, $7, true, 10000, now(), $8)`,
        [row.kind, row.code, row.standard, row.majorCode, row.majorName, row.name, row.hint, row.ownerArea],
      );
    },

    /** Applies an administrator's change and marks the row as edited. */
    async update(
      kind: string,
      code: string,
      patch: { name?: string | undefined; active?: boolean | undefined; hint?: string | null | undefined },
    ): Promise<boolean> {
      const r = await db.query(
        `UPDATE categories SET
           name = coalesce($3, name),
           active = coalesce($4, active),
           hint = CASE WHEN $5::boolean THEN $6 ELSE hint END,
           edited_at = now(), updated_at = now()
         WHERE kind = $1 AND code = $2`,
        [kind, code, patch.name ?? null, patch.active ?? null, patch.hint !== undefined, patch.hint ?? null],
      );
      return r.rowCount > 0;
    },

    /**
     * Inserts missing catalogue rows and refreshes rows nobody edited; rows an administrator
     * changed, and local extensions, are never touched.
     */
    async upsertCatalogue(rows: readonly CatalogueRow[]): Promise<{ inserted: number; updated: number }> {
      const r = await db.query<{ inserted: boolean }>(
        `INSERT INTO categories AS c (kind, code, standard, major_code, major_name, name, maps_to, hint,
                                      confusable_with, sort_order)
         SELECT x.kind, x.code, x.standard, x."majorCode", x."majorName", x.name, x."mapsTo", x.hint,
                ARRAY(SELECT jsonb_array_elements_text(x."confusableWith")), x."sortOrder"
           FROM jsonb_to_recordset($1::jsonb) AS x(kind text, code text, standard text, "majorCode" text,
                "majorName" text, name text, "mapsTo" text, hint text, "confusableWith" jsonb, "sortOrder" int)
         ON CONFLICT (kind, code) DO UPDATE SET
           standard = EXCLUDED.standard, major_code = EXCLUDED.major_code, major_name = EXCLUDED.major_name,
           name = EXCLUDED.name, maps_to = EXCLUDED.maps_to, hint = EXCLUDED.hint,
           confusable_with = EXCLUDED.confusable_with, sort_order = EXCLUDED.sort_order, updated_at = now()
         WHERE c.edited_at IS NULL AND NOT c.local
           AND (c.standard, c.major_code, c.major_name, c.name, c.maps_to, c.hint, c.confusable_with, c.sort_order)
               IS DISTINCT FROM (EXCLUDED.standard, EXCLUDED.major_code, EXCLUDED.major_name, EXCLUDED.name,
                                 EXCLUDED.maps_to, EXCLUDED.hint, EXCLUDED.confusable_with, EXCLUDED.sort_order)
         RETURNING (xmax = 0) AS inserted`,
        [JSON.stringify(rows)],
      );
      const inserted = r.rows.filter((x) => x.inserted).length;
      return { inserted, updated: r.rows.length - inserted };
    },
  };
}
export type CategoriesRepository = ReturnType<typeof categoriesRepository>;
