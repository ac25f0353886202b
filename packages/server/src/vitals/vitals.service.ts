/**
 * The vital-signs engine. It keeps the latest value of every enabled indicator for every area in
 * memory (so reading them is cheap) and recomputes:
 * - after committed case or alarm events, only the source they touch, debounced (at most
 *   `debounceMs` after the first event: a steady stream of events cannot postpone it);
 * - on a periodic tick, every source (time moves deadlines, windows and device states);
 * - at once after an administrator edits a definition (definitions are re-read on every compute,
 *   so an edit made by another process takes effect on its next compute too).
 * After a compute that changed any value it publishes a `vitals` event. History is written every
 * `historyEveryMs` for areas down to `historyLevel`, only where a value or level moved or an hour
 * passed, and on demand.
 */
import {
  type AreaLevel,
  areaLevels,
  defaultVitalDefinitions,
  type VitalDefinition,
  type VitalLevel,
  type VitalSource,
  vitalSources,
} from '@onegrid/domain';
import type { Logger } from '../logger.ts';
import { deriveValues, type VitalValue } from './vitals.derive.ts';
import {
  type AreaRow,
  type Figure,
  type Figures,
  figuresOf,
  type StoredDefinition,
  type VitalsRepository,
} from './vitals.repository.ts';

export interface VitalsOptions {
  /** Delay between the first event and the recompute it triggers (default 300 ms, ≤ 1 s). */
  debounceMs?: number;
  /** Full recompute period (default 30 s). */
  tickMs?: number;
  /** History write period (default 5 min). */
  historyEveryMs?: number;
  /** The finest area level written to history (default street). */
  historyLevel?: AreaLevel;
  /** History older than this many days is deleted (default 400). */
  historyDays?: number;
}

export interface VitalsSnapshot {
  computedAt: Date;
  definitions: readonly VitalDefinition[];
  areas: ReadonlyMap<string, AreaRow>;
  children: ReadonlyMap<string, readonly string[]>;
  /** Area code → indicator id → value and level. */
  values: ReadonlyMap<string, ReadonlyMap<string, VitalValue>>;
  /** Area code → worst level of its indicators. */
  overall: ReadonlyMap<string, VitalLevel | null>;
  /** Milliseconds the compute took (database and derivation). */
  tookMs: number;
  /** Where the time went: definitions and areas, the source queries, the derivation in memory. */
  timings: { loadMs: number; sqlMs: number; deriveMs: number };
}

export interface VitalsDeps {
  repo: VitalsRepository;
  clock: () => Date;
  log: Logger;
  /** Announces a changed snapshot (the module writes a `vitals` outbox event). */
  publish?: (s: VitalsSnapshot) => Promise<void>;
  options?: VitalsOptions;
}

const rank = (l: AreaLevel) => areaLevels.indexOf(l);
const sortDefs = (a: VitalDefinition, b: VitalDefinition) => a.sort - b.sort || a.id.localeCompare(b.id);

export function vitalsEngine({ repo, clock, log, publish, options = {} }: VitalsDeps) {
  const debounceMs = Math.min(options.debounceMs ?? 300, 1000);
  const historyLevel = options.historyLevel ?? 'street';
  const historyDays = options.historyDays ?? 400;
  let snapshot: VitalsSnapshot | undefined;
  let areas:
    | { rows: Map<string, AreaRow>; children: Map<string, string[]>; revision: number; at: number }
    | undefined;
  const cache = new Map<VitalSource, { signature: string; figures: Figures }>();
  const dirty = new Set<VitalSource>();
  let chain: Promise<unknown> = Promise.resolve();
  let debounce: NodeJS.Timeout | undefined;
  let closed = false;
  const lastWritten = new Map<string, { value: number | null; level: VitalLevel | null; at: number }>();
  let lastPrune = 0;
  let seeded = false;

  /** Areas are re-read when the geo revision moves, and every 10 minutes for populations and names. */
  async function loadAreas(force: boolean) {
    const revision = await repo.geoRevision();
    if (!force && areas && areas.revision === revision && Date.now() - areas.at < 600_000) return;
    const rows = new Map<string, AreaRow>();
    const children = new Map<string, string[]>();
    for (const a of await repo.areas()) {
      rows.set(a.code, a);
      if (a.parentCode) {
        const list = children.get(a.parentCode) ?? [];
        list.push(a.code);
        children.set(a.parentCode, list);
      }
    }
    areas = { rows, children, revision, at: Date.now() };
  }

  async function compute(sources: ReadonlySet<VitalSource>, full: boolean): Promise<VitalsSnapshot> {
    const started = performance.now();
    const now = clock();
    if (!seeded) {
      await repo.seedDefaults(defaultVitalDefinitions);
      seeded = true;
    }
    const defs = (await repo.definitions()).map((s) => s.def).filter((d) => d.enabled);
    defs.sort(sortDefs);
    if (full || !areas) await loadAreas(!areas);
    const loaded = performance.now();
    const wanted = new Map<VitalSource, Map<string, Figure>>();
    const figs = defs.map((d) => {
      const f = figuresOf(d, now);
      const m = wanted.get(d.source) ?? new Map<string, Figure>();
      for (const x of [f.main, f.of, f.max]) if (x) m.set(x.key, x);
      wanted.set(d.source, m);
      return f;
    });
    const queried = new Set<VitalSource>();
    await Promise.all(
      vitalSources.map(async (source) => {
        const list = [...(wanted.get(source)?.values() ?? [])];
        const signature = list
          .map((f) => f.key)
          .sort()
          .join('|');
        const cached = cache.get(source);
        if (cached && cached.signature === signature && !sources.has(source)) return;
        if (source === 'cases' && full) {
          // Keeps the slice of deadlines read beside the open-case counters narrow; exact either way.
          await repo
            .advanceCaseCounters(now)
            .catch((e) => log.warn({ err: e, category: 'vitals' }, 'moving the case counters mark failed'));
        }
        cache.set(source, { signature, figures: await repo.figures(list, now) });
        queried.add(source);
      }),
    );
    const derived = performance.now();
    const previous = snapshot;
    // A definition whose source was not recomputed, and which did not change, keeps its values.
    const before = new Map(previous?.definitions.map((d) => [d.id, JSON.stringify(d)]));
    const keep = defs.map((d) => !full && !queried.has(d.source) && before.get(d.id) === JSON.stringify(d));
    const { values, overall } = deriveValues({
      areas: areas!.rows.values(),
      defs,
      figs,
      figures: (source) => cache.get(source)?.figures,
      keep,
      previous: previous?.values,
    });
    snapshot = {
      computedAt: now,
      definitions: defs,
      areas: areas!.rows,
      children: areas!.children,
      values,
      overall,
      tookMs: performance.now() - started,
      timings: {
        loadMs: loaded - started,
        sqlMs: derived - loaded,
        deriveMs: performance.now() - derived,
      },
    };
    if (publish && (!previous || changed(previous, snapshot))) {
      await publish(snapshot).catch((e) => log.warn({ err: e }, 'publishing vitals failed'));
    }
    return snapshot;
  }

  function changed(a: VitalsSnapshot, b: VitalsSnapshot): boolean {
    if (a.definitions.length !== b.definitions.length) return true;
    if (a.definitions.some((d, i) => JSON.stringify(d) !== JSON.stringify(b.definitions[i]))) return true;
    for (const [code, m] of b.values) {
      const o = a.values.get(code);
      if (!o) return true;
      for (const [id, v] of m) {
        const w = o.get(id);
        if (!w || w.value !== v.value || w.level !== v.level) return true;
      }
    }
    return false;
  }

  /** Queues a compute behind the running one; returns its snapshot. */
  function enqueue(sources: ReadonlySet<VitalSource>, full: boolean): Promise<VitalsSnapshot> {
    const run = chain.then(() => compute(sources, full));
    chain = run.catch(() => undefined);
    return run;
  }

  function flush() {
    debounce = undefined;
    if (closed || dirty.size === 0) return;
    const sources = new Set(dirty);
    dirty.clear();
    enqueue(sources, false).catch((e) => log.warn({ err: e, category: 'vitals' }, 'vitals compute failed'));
  }

  async function writeHistory(force: boolean): Promise<number> {
    const s = snapshot ?? (await refresh());
    const at = s.computedAt;
    const rows: { indicatorId: string; areaCode: string; value: number | null; level: VitalLevel | null }[] =
      [];
    for (const [code, m] of s.values) {
      const area = s.areas.get(code);
      if (!area || rank(area.level) > rank(historyLevel)) continue;
      for (const [id, v] of m) {
        const key = `${id}|${code}`;
        const last = lastWritten.get(key);
        if (
          !force &&
          last &&
          last.value === v.value &&
          last.level === v.level &&
          at.getTime() - last.at < 3_600_000
        )
          continue;
        rows.push({ indicatorId: id, areaCode: code, ...v });
        lastWritten.set(key, { ...v, at: at.getTime() });
      }
    }
    await repo.writeHistory(rows, at);
    if (at.getTime() - lastPrune > 3_600_000) {
      lastPrune = at.getTime();
      await repo.pruneHistory(new Date(at.getTime() - historyDays * 86_400_000));
    }
    return rows.length;
  }

  /** Recomputes every source now and returns the new snapshot. */
  function refresh(): Promise<VitalsSnapshot> {
    return enqueue(new Set(vitalSources), true);
  }

  const timers: NodeJS.Timeout[] = [];
  return {
    /**
     * Starts the periodic timers (not started in `vitalsEngine` itself): the compute tick that
     * keeps this process's snapshot current, and the history writer (once per deployment).
     * Returns a stop function for exactly these timers.
     */
    start(parts: { compute?: boolean; history?: boolean } = { compute: true, history: true }) {
      const mine: NodeJS.Timeout[] = [];
      if (parts.compute) {
        refresh().catch((e) => log.warn({ err: e, category: 'vitals' }, 'first vitals compute failed'));
        mine.push(
          setInterval(() => {
            refresh().catch((e) => log.warn({ err: e, category: 'vitals' }, 'vitals tick failed'));
          }, options.tickMs ?? 30_000),
        );
      }
      if (parts.history) {
        mine.push(
          setInterval(() => {
            writeHistory(false).catch((e) =>
              log.warn({ err: e, category: 'vitals' }, 'vitals history failed'),
            );
          }, options.historyEveryMs ?? 300_000),
        );
      }
      for (const t of mine) t.unref();
      timers.push(...mine);
      return () => {
        for (const t of mine) clearInterval(t);
      };
    },
    /** A committed change of this source: recompute it within `debounceMs`. */
    touch(source: VitalSource) {
      if (closed) return;
      dirty.add(source);
      debounce ??= setTimeout(flush, debounceMs);
    },
    refresh,
    /** Recomputes the given sources now (the others from cache), as a committed event would. */
    recompute: (sources: readonly VitalSource[]) => enqueue(new Set(sources), false),
    /** The latest snapshot, computing the first one if there is none yet. */
    async current(): Promise<VitalsSnapshot> {
      return snapshot ?? refresh();
    },
    /** Writes history now: every area down to `historyLevel` when forced, else what moved. */
    writeHistory,
    async close() {
      closed = true;
      if (debounce) clearTimeout(debounce);
      for (const t of timers) clearInterval(t);
      await chain;
    },
  };
}

export type VitalsEngine = ReturnType<typeof vitalsEngine>;
export type { StoredDefinition };
