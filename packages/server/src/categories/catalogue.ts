import fs from 'node:fs';
import path from 'node:path';
import {
  type CatalogueCsvRow,
  catalogueKind,
  confusionOf,
  currentStandard,
  legacyMappings,
} from '@onegrid/domain';
import { parse } from 'csv-parse/sync';
import type { Queryable } from '../db/db.ts';
import { type CatalogueRow, categoriesRepository } from './categories.repository.ts';

/** The catalogue shipped with OneGrid: GB/T 47678.5-2026 plus the legacy GB/T 30428.2 and CJ/T 214 lists. */
export const catalogueCsvPath = path.resolve(import.meta.dirname, '../../seed-data/categories.csv');

export function readCatalogue(file = catalogueCsvPath): CatalogueRow[] {
  const csv = parse(fs.readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true });
  const rows = csv as CatalogueCsvRow[];
  const mapped = legacyMappings(rows);
  return rows.map((r, i) => {
    const kind = catalogueKind(r.standard, r.kind);
    const confusion = r.standard === currentStandard ? confusionOf(r.code) : undefined;
    return {
      kind,
      code: r.code,
      standard: r.standard,
      majorCode: r.major_code,
      majorName: r.major_name,
      name: r.name,
      mapsTo: mapped.get(`${kind}:${r.code}`) ?? null,
      hint: confusion?.hint ?? null,
      confusableWith: confusion?.confusableWith ?? [],
      sortOrder: i + 1,
    };
  });
}

/**
 * Brings the `categories` table up to the shipped catalogue. Safe to run at every start: it adds
 * what is missing and refreshes untouched rows, never an administrator's edits or local codes.
 */
export async function loadCategoryCatalogue(
  db: Queryable,
  file = catalogueCsvPath,
): Promise<{ rows: number; inserted: number; updated: number }> {
  const rows = readCatalogue(file);
  const r = await categoriesRepository(db).upsertCatalogue(rows);
  return { rows: rows.length, ...r };
}
