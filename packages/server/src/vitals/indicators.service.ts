/**
 * Administrators' edits of the indicator definitions. Every edit is checked by the domain
 * (`definitionProblems`), versioned (a stale version is refused), and followed by a recompute so
 * the next read already shows it: no restart.
 */
import { definitionProblems, type VitalDefinition } from '@onegrid/domain';
import { audit, changes } from '../audit/audit.ts';
import type { Db } from '../db/db.ts';
import { AppError, notFound } from '../errors.ts';
import type { StoredDefinition, VitalsRepository } from './vitals.repository.ts';
import type { CreateIndicatorBody, PatchIndicatorBody } from './vitals.schema.ts';
import type { VitalsEngine } from './vitals.service.ts';

export function toIndicatorJson(s: StoredDefinition) {
  return { ...s.def, builtin: s.builtin, version: s.version, updatedAt: s.updatedAt };
}

function check(def: VitalDefinition) {
  const problems = definitionProblems(def);
  if (problems.length)
    throw new AppError('validation_failed', `Indicator ${def.id}: ${problems.join('; ')}`, { problems });
}

export function indicatorsService({
  db,
  repo,
  engine,
}: {
  db: Db;
  repo: VitalsRepository;
  engine: VitalsEngine;
}) {
  async function find(id: string): Promise<StoredDefinition> {
    await engine.current(); // the defaults are seeded by the first compute
    const s = (await repo.definitions()).find((d) => d.def.id === id);
    if (!s) throw notFound('Indicator', id);
    return s;
  }

  return {
    find,
    async list() {
      await engine.current();
      const all = await repo.definitions();
      return all
        .sort((a, b) => a.def.sort - b.def.sort || a.def.id.localeCompare(b.def.id))
        .map(toIndicatorJson);
    },

    async create(body: CreateIndicatorBody) {
      await engine.current();
      const def: VitalDefinition = { enabled: true, sort: 1000, ...body } as VitalDefinition;
      check(def);
      const r = await db.transaction(async (tx) => {
        const r = await repo.insert(tx, def);
        if (r !== 'exists') {
          await audit.record(tx, {
            action: 'config.vitals',
            object: `indicator:${def.id}`,
            details: { before: null, after: def },
          });
        }
        return r;
      });
      if (r === 'exists') throw new AppError('conflict', `Indicator ${def.id} already exists`);
      await engine.refresh();
      return toIndicatorJson(await find(def.id));
    },

    async update(id: string, body: PatchIndicatorBody) {
      const current = await find(id);
      const { version, ...patch } = body;
      const merged: Record<string, unknown> = { ...current.def, ...patch, id };
      // null removes an optional field
      for (const k of ['of', 'over', 'filter', 'thresholdsByLevel'] as const)
        if (merged[k] === null) delete merged[k];
      const def = merged as unknown as VitalDefinition;
      check(def);
      const ok = await db.transaction(async (tx) => {
        const ok = await repo.update(tx, def, version);
        if (ok) {
          await audit.record(tx, {
            action: 'config.vitals',
            object: `indicator:${id}`,
            details: changes(current.def as unknown as Record<string, unknown>, merged),
          });
        }
        return ok;
      });
      if (!ok)
        throw new AppError(
          'stale_version',
          `Indicator ${id} is at version ${current.version}, not ${version}`,
          {
            currentVersion: current.version,
          },
        );
      await engine.refresh();
      return toIndicatorJson(await find(id));
    },

    async remove(id: string, version: number | undefined) {
      const current = await find(id);
      const ok = await db.transaction(async (tx) => {
        const ok = await repo.remove(tx, id, version);
        if (ok) {
          await audit.record(tx, {
            action: 'config.vitals',
            object: `indicator:${id}`,
            details: { before: current.def, after: null },
          });
        }
        return ok;
      });
      if (!ok)
        throw new AppError(
          'stale_version',
          `Indicator ${id} is at version ${current.version}, not ${version}`,
          {
            currentVersion: current.version,
          },
        );
      await engine.refresh();
    },
  };
}

export type IndicatorsService = ReturnType<typeof indicatorsService>;
