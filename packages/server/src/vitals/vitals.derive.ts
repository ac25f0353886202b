/**
 * From raw figures to values and levels, for every area and indicator: the in-memory half of a
 * compute (3,473 areas × 13 indicators for Shanghai). Plain loops over arrays prepared once per
 * compute, so it stays a few milliseconds; the arithmetic itself is the domain's `vitalValue`
 * and `levelOf`.
 */
import {
  type AreaLevel,
  areaLevels,
  levelOf,
  type VitalDefinition,
  type VitalInputs,
  type VitalLevel,
  type VitalSource,
  vitalValue,
  worstLevel,
} from '@onegrid/domain';
import type { AreaRow, Figure, Figures } from './vitals.repository.ts';

export interface VitalValue {
  value: number | null;
  level: VitalLevel | null;
}

export interface DeriveInput {
  areas: Iterable<AreaRow>;
  /** Enabled definitions, in display order, with the figures each needs. */
  defs: readonly VitalDefinition[];
  figs: readonly { main: Figure; of?: Figure; max?: Figure }[];
  /** The latest figures of each source. */
  figures: (source: VitalSource) => Figures | undefined;
  /** Definitions whose values are taken from `previous` as they are (source not recomputed). */
  keep: readonly boolean[];
  previous: ReadonlyMap<string, ReadonlyMap<string, VitalValue>> | undefined;
}

const none: VitalValue = { value: null, level: null };
const rank = (l: AreaLevel) => areaLevels.indexOf(l);

export function deriveValues({ areas, defs, figs, figures, keep, previous }: DeriveInput) {
  const n = defs.length;
  const ids = defs.map((d) => d.id);
  const finest = defs.map((d) => rank(d.level));
  // Each source's rows are looked up once per area; a definition reads columns of its source's row.
  const sources = [...new Set(defs.map((d) => d.source))];
  const sourceFigures = sources.map((s) => figures(s));
  const src = defs.map((d) => sources.indexOf(d.source));
  const col = (i: number, f: Figure | undefined) =>
    f ? (sourceFigures[src[i]!]?.keys.indexOf(f.key) ?? -1) : -1;
  const mainCol = figs.map((f, i) => col(i, f.main));
  const ofCol = figs.map((f, i) => col(i, f.of));
  const maxCol = figs.map((f, i) => col(i, f.max));
  const anyKept = keep.some(Boolean);
  const rows: ((number | null)[] | undefined)[] = new Array(sources.length);
  const levels: (VitalLevel | null)[] = new Array(n).fill(null);
  const values = new Map<string, Map<string, VitalValue>>();
  const overall = new Map<string, VitalLevel | null>();
  const at = (row: (number | null)[] | undefined, c: number) => (c < 0 || !row ? null : (row[c] ?? null));
  for (const area of areas) {
    const areaRank = rank(area.level);
    const old = anyKept ? previous?.get(area.code) : undefined;
    for (let s = 0; s < sources.length; s++) rows[s] = sourceFigures[s]?.areas.get(area.code);
    const m = new Map<string, VitalValue>();
    for (let i = 0; i < n; i++) {
      let v: VitalValue | undefined;
      if (areaRank > finest[i]!) v = none;
      else if (keep[i]) v = old?.get(ids[i]!);
      if (v === undefined) {
        const d = defs[i]!;
        const row = rows[src[i]!];
        const x = at(row, mainCol[i]!);
        const inputs: VitalInputs = {
          count: x ?? 0,
          of: figs[i]!.of ? (at(row, ofCol[i]!) ?? 0) : null,
          population: area.population,
          avg: x,
          max: figs[i]!.max ? at(row, maxCol[i]!) : null,
        };
        const value = vitalValue(d, inputs);
        v = { value, level: levelOf(value, d, area.level) };
      }
      m.set(ids[i]!, v);
      levels[i] = v.level;
    }
    values.set(area.code, m);
    overall.set(area.code, worstLevel(levels));
  }
  return { values, overall };
}
