/**
 * Components (部件, GB/T 47678.5 table 2): the big kind, 12–15 million rows for a city. Rows are
 * checked in JavaScript (id shape, mandatory attributes, values, point), then go through COPY
 * into a staging table and one INSERT … SELECT per batch (see components.sql.ts).
 */
import {
  checkCode,
  codeText,
  componentCategoryOf,
  isUnifiedCreditCode,
  PropertyReader,
  parseComponentDataSource,
  parseComponentStatus,
  parseDateOnly,
  textOf,
} from '@onegrid/domain';
import type { Db } from '../../db/db.ts';
import { AppError } from '../../errors.ts';
import type { Reject } from '../types.ts';
import { checkPoint } from '../validate.ts';
import {
  createStageSql,
  diagnoseStageSql,
  type StageOutcome,
  stageColumns,
  upsertFromStageSql,
} from './components.sql.ts';
import { explainDbError, type ImportKind, type Item, reject } from './kind.ts';

export type ComponentRecord = Record<(typeof stageColumns)[number], string | number | null>;

const reader = new PropertyReader([
  'componentId',
  'categoryCode',
  'componentName',
  'ownerDeptCode',
  'ownerDeptName',
  'propertyUnitCode',
  'propertyUnitName',
  'maintainerCode',
  'maintainerName',
  'unitGridCode',
  'status',
  'surveyDate',
  'changeDate',
  'dataSource',
  'note',
  'streetCode',
  'streetName',
  'communityCode',
  'communityName',
] as const);

const mandatoryNames = {
  componentName: 'name',
  ownerDeptCode: 'owner department code',
  ownerDeptName: 'owner department name',
  status: 'status',
  surveyDate: 'first-survey date',
} as const;

function optionalCode(v: unknown, digits: number, prefix: string): string | null {
  const s = codeText(v);
  return s !== undefined && s.length === digits && /^\d+$/.test(s) && s.startsWith(prefix) ? s : null;
}

/** COPY text escaping; NUL cannot travel in PostgreSQL text at all, so it is dropped. */
function copyField(v: string | number | null): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return /[\\\t\n\r\0]/.test(v)
    ? v
        .replace(/\0/g, '')
        .replace(/\\/g, '\\\\')
        .replace(/\t/g, '\\t')
        .replace(/\n/g, '\\n')
        .replace(/\r/g, '\\r')
    : v;
}

/** The batch as COPY text, in one piece: PGlite reads each piece of its COPY blob separately. */
function* copyText(items: Item<ComponentRecord>[]): Generator<string> {
  const lines: string[] = [];
  for (const it of items) lines.push(stageColumns.map((c) => copyField(it.record[c])).join('\t'));
  yield `${lines.join('\n')}\n`;
}

function outcomeReject(o: StageOutcome): Reject {
  if (!o.category_ok) {
    return reject(
      o.rn,
      o.id,
      'unknown_category',
      `category ${o.category_code} (from the id) is not in the component catalogue`,
    );
  }
  if (!o.district_ok) {
    return reject(
      o.rn,
      o.id,
      'unknown_parent',
      `district ${o.id.slice(0, 6)} (the id's first 6 digits) is not in the database`,
    );
  }
  if (!o.grid_ok) {
    const named = o.unit_grid_code ? `unit grid ${o.unit_grid_code} does not exist and ` : '';
    return reject(
      o.rn,
      o.id,
      'no_unit_grid',
      `${named}the point lies in no unit grid (import unit grids first)`,
    );
  }
  return reject(o.rn, o.id, 'duplicate', `id ${o.id} appears earlier in this file`);
}

/** Staging tables left by runs that ended without cleaning up (a killed process). */
async function dropStaleStages(db: Db) {
  const stale = await db.query<{ tablename: string }>(
    `SELECT t.tablename FROM pg_tables t
     LEFT JOIN import_runs r ON r.id = substring(t.tablename FROM '^import_stage_(\\d+)$')::bigint
     WHERE t.schemaname = current_schema() AND t.tablename ~ '^import_stage_\\d+$'
       AND (r.id IS NULL OR r.status <> 'running')`,
  );
  for (const { tablename } of stale.rows) await db.exec(`DROP TABLE IF EXISTS ${tablename}`);
}

export const components: ImportKind<ComponentRecord> = {
  name: 'components',
  summary: 'components with the 18 GB/T 47678.5 attributes and a point (17-digit id or legacy 16-digit)',
  dedupe: 'database',
  changesGeo: false,

  prepare(row, crs) {
    const f = reader.read(row.properties);
    const c = checkCode('component', f.componentId);
    if (!c.ok)
      return { ok: false, key: codeText(f.componentId) ?? null, problem: 'bad_code', reason: c.reason };
    const id = c.code;
    const bad = (reason: string) => ({ ok: false as const, key: id, problem: 'bad_value' as const, reason });
    const missing = Object.entries(mandatoryNames)
      .filter(([field]) => f[field as keyof typeof mandatoryNames] === undefined)
      .map(([, label]) => label);
    if (missing.length > 0) {
      return {
        ok: false,
        key: id,
        problem: 'missing_field',
        reason: `missing mandatory attributes: ${missing.join(', ')}`,
      };
    }
    const category = componentCategoryOf(id);
    const declared = codeText(f.categoryCode);
    if (declared !== undefined) {
      const asCurrent = declared.length === 4 ? `${declared.slice(0, 2)}0${declared.slice(2)}` : declared;
      if (asCurrent !== category)
        return bad(`category ${declared} does not match the id's category ${category}`);
    }
    const owner = String(textOf(f.ownerDeptCode)).toUpperCase();
    if (!isUnifiedCreditCode(owner)) {
      return bad(`owner department code "${owner}" is not an 18-character unified social credit code`);
    }
    const status = parseComponentStatus(f.status);
    if (!status) {
      return bad(
        `status "${String(f.status)}" is not 完好/破损/丢失/废弃/移除 (intact/damaged/missing/abandoned/removed)`,
      );
    }
    const surveyDate = parseDateOnly(f.surveyDate);
    if (!surveyDate) return bad(`first-survey date "${String(f.surveyDate)}" is not a date`);
    const changeDate = f.changeDate === undefined ? null : (parseDateOnly(f.changeDate) ?? undefined);
    if (changeDate === undefined) return bad(`change date "${String(f.changeDate)}" is not a date`);
    const dataSource =
      f.dataSource === undefined ? null : (parseComponentDataSource(f.dataSource) ?? undefined);
    if (dataSource === undefined) {
      return bad(`data source "${String(f.dataSource)}" is not surveyed, map or other (普查/地图/其他)`);
    }
    const p = checkPoint(row.geometry, crs);
    if (!p.ok) return { ok: false, key: id, problem: p.problem, reason: p.reason };
    const grid = checkCode('unitGrid', f.unitGridCode);
    const district = id.slice(0, 6);
    return {
      ok: true,
      key: id,
      record: {
        rn: row.row,
        id,
        legacy_id: c.legacyCode ?? null,
        category_code: category,
        name: textOf(f.componentName) ?? null,
        owner_dept_code: owner,
        owner_dept_name: textOf(f.ownerDeptName) ?? null,
        property_unit_code: textOf(f.propertyUnitCode) ?? null,
        property_unit_name: textOf(f.propertyUnitName) ?? null,
        maintainer_code: textOf(f.maintainerCode) ?? null,
        maintainer_name: textOf(f.maintainerName) ?? null,
        unit_grid_code: grid.ok ? grid.code : null,
        status,
        survey_date: surveyDate,
        change_date: changeDate,
        data_source: dataSource,
        note: textOf(f.note) ?? null,
        street_code: optionalCode(f.streetCode, 9, district),
        street_name: textOf(f.streetName) ?? null,
        community_code: optionalCode(f.communityCode, 12, district),
        community_name: textOf(f.communityName) ?? null,
        lng: p.value[0],
        lat: p.value[1],
      },
    };
  },

  async begin(db, ctx) {
    const catalogue = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM categories WHERE kind = 'component' AND active`,
    );
    if (!catalogue.rows[0]?.n) {
      throw new AppError(
        'conflict',
        'the component catalogue is empty (no active categories of kind "component"), so no component can be ' +
          'checked: load the GB/T 47678.5 catalogue first (it is loaded when the server starts)',
      );
    }
    await dropStaleStages(db);
    const stage = `import_stage_${ctx.runId}`;
    await db.exec(createStageSql(stage));
    const upsert = upsertFromStageSql(stage);

    /** COPY the batch in; when COPY refuses it, insert row by row and reject the rows that fail. */
    async function fillStage(items: Item<ComponentRecord>[]): Promise<Reject[]> {
      try {
        await db.copyFrom(stage, stageColumns, copyText(items));
        return [];
      } catch {
        await db.exec(`TRUNCATE ${stage}`);
      }
      const out: Reject[] = [];
      const params = stageColumns.map((_, i) => `$${i + 1}`).join(', ');
      for (const it of items) {
        try {
          await db.query(
            `INSERT INTO ${stage} (${stageColumns.join(', ')}) VALUES (${params})`,
            stageColumns.map((c) => it.record[c]),
          );
        } catch (e) {
          const { problem, reason } = explainDbError(e);
          out.push(reject(it.row, it.key, problem, reason));
        }
      }
      return out;
    }

    const diagnose = diagnoseStageSql(stage);

    /** Upserts the staged rows (or one of them); returns the rows not written and why. */
    const upsertStaged = (target: Db, items: Item<ComponentRecord>[], one: number | null) =>
      target.transaction(async (tx) => {
        const written = await tx.query<{ id: string }>(upsert, [ctx.runId, one]);
        if (written.rows.length === items.length) return [];
        const done = new Set(written.rows.map((r) => r.id));
        const missing = items.filter((it) => !done.has(it.key)).map((it) => it.row);
        const why = await tx.query<StageOutcome>(diagnose, [missing]);
        return why.rows.map(outcomeReject);
      });

    return {
      async write(target: Db, items) {
        const out = await fillStage(items);
        const unstaged = new Set(out.map((r) => r.row));
        const staged = out.length === 0 ? items : items.filter((it) => !unstaged.has(it.row));
        try {
          out.push(...(await upsertStaged(target, staged, null)));
        } catch {
          // One bad row (a legacy id another component already holds …) fails the statement:
          // write the batch row by row so only that row is rejected.
          for (const it of staged) {
            try {
              out.push(...(await upsertStaged(target, [it], it.row)));
            } catch (e) {
              const { problem, reason } = explainDbError(e);
              out.push(reject(it.row, it.key, problem, reason));
            }
          }
        } finally {
          await target.exec(`TRUNCATE ${stage}`);
        }
        return out;
      },
      async end() {
        await db.exec(`DROP TABLE IF EXISTS ${stage}`);
      },
    };
  },
};
