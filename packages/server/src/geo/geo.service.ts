import { type Crs, type Location, Locator, looksSwapped, toWgs84 } from '@onegrid/domain';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { GeoRepository } from './geo.repository.ts';

export interface GeoServiceDeps {
  repo: GeoRepository;
  log: Logger;
  /** Milliseconds, for the revision check interval. */
  now?: () => number;
  /** How stale the index may be before a request checks geo_revision again. */
  checkEveryMs?: number;
}

export interface LocateInput {
  lng: number;
  lat: number;
  crs?: Crs;
}

export interface LocateAnswer extends Location {
  input: { lng: number; lat: number; crs: Crs };
  wgs84: { lng: number; lat: number };
}

export interface GeoStatus {
  /** geo_revision as last read from the database. */
  revision: number;
  /** The revision the in-memory index was built from; -1 before the first load. */
  indexRevision: number;
  /** True when locate answers from memory; false while it falls back to PostGIS. */
  indexed: boolean;
  counts: ReturnType<Locator['stats']> | null;
}

export function swappedHint(lng: number, lat: number): string {
  return looksSwapped(lng, lat)
    ? ` The coordinates look swapped: lng ${lng} is a latitude and lat ${lat} a longitude in China — did you mean lng=${lat}&lat=${lng}?`
    : '';
}

/**
 * Locate, answered from one in-memory index per level (see the domain's `Locator`) that follows
 * the database: loaded at start, reloaded when geo_revision moves. A request checks the revision
 * at most every `checkEveryMs`; while the index is missing or stale it answers from PostGIS with
 * the same rules, so an answer is never older than the last check.
 */
export function geoService({
  repo,
  log,
  now = () => performance.now(),
  checkEveryMs = 2000,
}: GeoServiceDeps) {
  let locator: Locator | undefined;
  let indexRevision = -1;
  let dbRevision = -1;
  let checkedAt = -Infinity;
  let checking: Promise<void> | undefined;
  let loading: Promise<void> | undefined;
  let closed = false;

  async function load(): Promise<void> {
    for (let round = 0; round < 3 && !closed; round++) {
      const seen = dbRevision;
      const started = performance.now();
      const { revision, model } = await repo.loadModel();
      if (closed) return;
      locator = new Locator(model);
      indexRevision = revision;
      log.info(
        { category: 'geo', revision, ms: Math.round(performance.now() - started), ...locator.stats() },
        'locate index loaded',
      );
      // A check during the load saw yet another revision: a write landed meanwhile, so go again
      // rather than leave it to PostGIS until the next check.
      if (dbRevision === seen || dbRevision === revision) {
        dbRevision = revision;
        return;
      }
    }
  }

  function startLoad(): Promise<void> {
    loading ??= load().finally(() => {
      loading = undefined;
    });
    return loading;
  }

  function check(): Promise<void> {
    checking ??= (async () => {
      try {
        dbRevision = await repo.revision();
        if (dbRevision !== indexRevision && !closed) {
          startLoad().catch((err: unknown) =>
            log.error({ category: 'geo', err }, 'locate index load failed'),
          );
        }
      } catch (err) {
        log.warn({ category: 'geo', err }, 'geo_revision check failed');
      } finally {
        checkedAt = now();
        checking = undefined;
      }
    })();
    return checking;
  }

  async function locateWgs84(lng: number, lat: number): Promise<Location | null> {
    if (now() - checkedAt >= checkEveryMs) await check();
    if (locator && indexRevision === dbRevision) return locator.locate(lng, lat);
    return repo.locateSql(lng, lat);
  }

  return {
    /** Loads the index in the background; requests are answered from PostGIS until it is ready. */
    start(): void {
      void check();
    },

    /**
     * Brings the index up to date with the database now and waits for it: what an importer or
     * seeder calls after writing areas or grids, so the next locate sees them. `force` reloads
     * even when geo_revision did not move (writes that bypassed the triggers).
     */
    async refresh(options: { force?: boolean } = {}): Promise<void> {
      let force = options.force ?? false;
      for (let round = 0; round < 3; round++) {
        if (loading) await loading.catch(() => {});
        dbRevision = await repo.revision();
        checkedAt = now();
        if (!force && locator && indexRevision === dbRevision) return;
        force = false;
        await startLoad();
      }
    },

    async locate(input: LocateInput): Promise<LocateAnswer> {
      const crs = input.crs ?? 'wgs84';
      const wgs84 = toWgs84(input.lng, input.lat, crs);
      const location = await locateWgs84(wgs84.lng, wgs84.lat);
      if (!location) {
        throw new AppError(
          'outside_city',
          `The point lng=${input.lng}, lat=${input.lat} (${crs}) lies in no district of the city.${swappedHint(input.lng, input.lat)}`,
          { lng: input.lng, lat: input.lat, crs },
        );
      }
      return { input: { lng: input.lng, lat: input.lat, crs }, wgs84, ...location };
    },

    /** The WGS-84 lookup without conversion or errors: for callers inside the server (cases, imports). */
    locateWgs84,

    status(): GeoStatus {
      return {
        revision: dbRevision,
        indexRevision,
        indexed: locator !== undefined && indexRevision === dbRevision,
        counts: locator?.stats() ?? null,
      };
    },

    /** The in-memory locator as it stands (for benchmarks and tests). */
    locator(): Locator | undefined {
      return locator;
    },

    async close(): Promise<void> {
      closed = true;
      await Promise.allSettled([checking, loading]);
    },
  };
}

export type GeoService = ReturnType<typeof geoService>;
