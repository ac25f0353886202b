/**
 * Vital-sign SQL: the raw figures behind the indicators (see `vitals.figures.ts`), the areas,
 * the definitions and the history.
 */
import type { AreaLevel, VitalDefinition } from '@onegrid/domain';
import type { Db, Queryable } from '../db/db.ts';
import { type Figure, type Figures, type OpenCases, sourceFigures } from './vitals.figures.ts';

export { figuresOf } from './vitals.figures.ts';
export type { Figure, Figures, OpenCases };

export interface AreaRow {
  code: string;
  name: string;
  level: AreaLevel;
  parentCode: string | null;
  population: number | null;
}

export function vitalsRepository(db: Db) {
  return {
    /**
     * The raw figures of one source for every area (city, district, street, community); open cases
     * from the counters unless `openCases` is `scan` (the full computation).
     */
    figures: (figs: readonly Figure[], now: Date, openCases?: OpenCases): Promise<Figures> =>
      sourceFigures(db, figs, now, openCases),

    /**
     * Moves the open-case counters' mark forward to `now` when it is more than `minStepMs` behind,
     * so the slice of deadlines a compute reads beside the counters stays a few minutes wide.
     */
    async advanceCaseCounters(now: Date, minStepMs = 300_000): Promise<void> {
      await db.query('SELECT vital_case_counters_advance($1, $2::interval)', [
        now.toISOString(),
        `${minStepMs} milliseconds`,
      ]);
    },

    /** Recounts the open-case counters from the cases, with the mark at `at` (the repair path). */
    async rebuildCaseCounters(at: Date): Promise<void> {
      await db.query('SELECT vital_case_counters_rebuild($1)', [at.toISOString()]);
    },

    /** Moves whenever areas or grids are written (not for population or names: see 0002_geo.sql). */
    async geoRevision(): Promise<number> {
      const r = await db.query<{ revision: number }>('SELECT revision::int AS revision FROM geo_revision');
      return r.rows[0]?.revision ?? 0;
    },

    async areas(): Promise<AreaRow[]> {
      const r = await db.query<AreaRow>(
        `SELECT code, name, level, parent_code AS "parentCode", population FROM areas ORDER BY code`,
      );
      return r.rows;
    },

    /** Definitions (live ones unless `withDeleted`). */
    async definitions(withDeleted = false): Promise<StoredDefinition[]> {
      const r = await db.query<{
        id: string;
        definition: Omit<VitalDefinition, 'id'>;
        builtin: boolean;
        version: number;
        deletedAt: string | null;
        updatedAt: string;
      }>(
        `SELECT id, definition, builtin, version, deleted_at AS "deletedAt", updated_at AS "updatedAt"
           FROM vital_indicators ${withDeleted ? '' : 'WHERE deleted_at IS NULL'}`,
      );
      return r.rows.map((row) => ({
        def: { ...row.definition, id: row.id } as VitalDefinition,
        builtin: row.builtin,
        version: row.version,
        deleted: row.deletedAt !== null,
        updatedAt: new Date(row.updatedAt).toISOString(),
      }));
    },

    /** Adds the defaults whose id has never been stored (a deleted default stays deleted). */
    async seedDefaults(defs: readonly VitalDefinition[]): Promise<void> {
      for (const { id, ...rest } of defs) {
        await db.query(
          `INSERT INTO vital_indicators (id, definition, builtin) VALUES ($1, $2, true) ON CONFLICT (id) DO NOTHING`,
          [id, JSON.stringify(rest)],
        );
      }
    },

    async insert(tx: Queryable, def: VitalDefinition): Promise<'inserted' | 'exists'> {
      const { id, ...rest } = def;
      // A deleted indicator's id may be taken again: the row comes back with a new version.
      const r = await tx.query(
        `INSERT INTO vital_indicators (id, definition) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET definition = EXCLUDED.definition, deleted_at = NULL,
           version = vital_indicators.version + 1, updated_at = now()
         WHERE vital_indicators.deleted_at IS NOT NULL`,
        [id, JSON.stringify(rest)],
      );
      return r.rowCount ? 'inserted' : 'exists';
    },

    async update(tx: Queryable, def: VitalDefinition, version: number): Promise<boolean> {
      const { id, ...rest } = def;
      const r = await tx.query(
        `UPDATE vital_indicators SET definition = $2, version = version + 1, updated_at = now()
          WHERE id = $1 AND version = $3 AND deleted_at IS NULL`,
        [id, JSON.stringify(rest), version],
      );
      return r.rowCount > 0;
    },

    async remove(tx: Queryable, id: string, version: number | undefined): Promise<boolean> {
      const r = await tx.query(
        `UPDATE vital_indicators SET deleted_at = now(), version = version + 1, updated_at = now()
          WHERE id = $1 AND deleted_at IS NULL AND ($2::int IS NULL OR version = $2::int)`,
        [id, version ?? null],
      );
      return r.rowCount > 0;
    },

    async writeHistory(
      rows: readonly { indicatorId: string; areaCode: string; value: number | null; level: string | null }[],
      at: Date,
    ): Promise<void> {
      if (rows.length === 0) return;
      await db.query(
        `INSERT INTO vital_history (indicator_id, area_code, at, value, level)
         SELECT i, a, $5, v, l FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[]) AS t(i, a, v, l)
         ON CONFLICT DO NOTHING`,
        [
          rows.map((r) => r.indicatorId),
          rows.map((r) => r.areaCode),
          rows.map((r) => r.value),
          rows.map((r) => r.level),
          at.toISOString(),
        ],
      );
    },

    async pruneHistory(before: Date): Promise<void> {
      await db.query('DELETE FROM vital_history WHERE at < $1', [before.toISOString()]);
    },

    async history(indicatorId: string, areaCode: string, from: Date, to: Date) {
      const r = await db.query<{ at: string; value: number | null; level: string | null }>(
        `SELECT at, value, level FROM vital_history
          WHERE indicator_id = $1 AND area_code = $2 AND at >= $3 AND at <= $4 ORDER BY at LIMIT 20000`,
        [indicatorId, areaCode, from.toISOString(), to.toISOString()],
      );
      return r.rows.map((x) => ({
        at: new Date(x.at).toISOString(),
        value: x.value === null ? null : Number(x.value),
        level: x.level,
      }));
    },
  };
}

export interface StoredDefinition {
  def: VitalDefinition;
  builtin: boolean;
  version: number;
  deleted: boolean;
  updatedAt: string;
}

export type VitalsRepository = ReturnType<typeof vitalsRepository>;
