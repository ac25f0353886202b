/**
 * Duplicate detection: a new report of the same category near an open case, within a time
 * window, is flagged with its candidates (nearest first) for the operator to merge with one
 * action. Machine sources merge by themselves (see `autoMergeTarget`).
 */
import type { CaseRulesConfig } from './config.ts';
import type { CaseSource } from './sources.ts';
import { type CaseStatus, isOpenStatus, type LngLat } from './types.ts';

export interface DuplicateOptions {
  /** How near an open case must be to count as the same problem. */
  readonly radiusMeters: number;
  /** How far apart in time the two reports may be (either way: phones sync late). */
  readonly windowMinutes: number;
  /** Machine sources merge without a person only this near (an open case of the same device first). */
  readonly autoMergeRadiusMeters: number;
}

export const defaultDuplicateOptions: DuplicateOptions = {
  radiusMeters: 50,
  windowMinutes: 72 * 60,
  autoMergeRadiusMeters: 20,
};

export interface NewReport {
  readonly category: string;
  readonly location: LngLat;
  readonly reportedAt: Date;
  readonly source?: CaseSource;
  /** The reporting device, for IoT alarms. */
  readonly deviceId?: string | null;
}

export interface DuplicateCandidate {
  readonly id: string;
  readonly category: string;
  readonly location: LngLat;
  readonly reportedAt: Date;
  readonly status: CaseStatus;
  readonly deviceId?: string | null;
}

export interface DuplicateMatch<C extends DuplicateCandidate = DuplicateCandidate> {
  readonly candidate: C;
  readonly distanceMeters: number;
  readonly minutesApart: number;
}

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres (haversine, mean Earth radius). */
export function haversineMeters(a: LngLat, b: LngLat): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Open cases of the same category within the radius and time window, nearest first (then the
 * earliest, then by id, so the order is stable).
 */
export function findDuplicates<C extends DuplicateCandidate>(
  report: NewReport,
  candidates: readonly C[],
  options: DuplicateOptions = defaultDuplicateOptions,
): DuplicateMatch<C>[] {
  const matches: DuplicateMatch<C>[] = [];
  for (const candidate of candidates) {
    if (candidate.category !== report.category || !isOpenStatus(candidate.status)) continue;
    const minutesApart = Math.abs(report.reportedAt.getTime() - candidate.reportedAt.getTime()) / 60_000;
    if (minutesApart > options.windowMinutes) continue;
    const distanceMeters = haversineMeters(report.location, candidate.location);
    if (distanceMeters > options.radiusMeters) continue;
    matches.push({ candidate, distanceMeters, minutesApart });
  }
  return matches.sort(
    (a, b) =>
      a.distanceMeters - b.distanceMeters ||
      a.candidate.reportedAt.getTime() - b.candidate.reportedAt.getTime() ||
      (a.candidate.id < b.candidate.id ? -1 : a.candidate.id > b.candidate.id ? 1 : 0),
  );
}

/**
 * The case a machine report merges into without a person, or undefined (then it is filed, or
 * flagged for the operator). Only sources whose policy says `autoMerge` (IoT, camera) merge by
 * themselves: into an open case from the same device if there is one, else into the nearest
 * match within `autoMergeRadiusMeters`. `matches` is `findDuplicates`' answer.
 */
export function autoMergeTarget<C extends DuplicateCandidate>(
  report: NewReport,
  matches: readonly DuplicateMatch<C>[],
  config: Pick<CaseRulesConfig, 'sources'>,
  options: DuplicateOptions = defaultDuplicateOptions,
): DuplicateMatch<C> | undefined {
  if (!report.source || !config.sources[report.source].autoMerge) return undefined;
  if (report.deviceId) {
    const same = matches.find((m) => m.candidate.deviceId === report.deviceId);
    if (same) return same;
  }
  const nearest = matches[0];
  return nearest && nearest.distanceMeters <= options.autoMergeRadiusMeters ? nearest : undefined;
}
