/**
 * The import pipeline's vocabulary. A reader turns a file into `RawRow`s, a kind turns each raw
 * row into a record or a `Reject`, and the service writes records in transactional batches.
 */
import { AppError } from '../errors.ts';

export const importKindNames = [
  'districts',
  'streets',
  'communities',
  'unit-grids',
  'duty-grids',
  'components',
  'addresses',
  'devices',
  'roads',
  'water',
] as const;
export type ImportKindName = (typeof importKindNames)[number];

export function isImportKind(s: string): s is ImportKindName {
  return (importKindNames as readonly string[]).includes(s);
}

/** Coordinate systems of incoming data. Everything is stored in WGS-84 (≈ CGCS2000). */
export const crsNames = ['wgs84', 'gcj02', 'bd09'] as const;
export type Crs = (typeof crsNames)[number];

export function isCrs(s: string): s is Crs {
  return (crsNames as readonly string[]).includes(s);
}

/** One row as a reader found it: properties plus an optional geometry (GeoJSON-shaped, unchecked). */
export interface RawRow {
  /** 1-based: the GeoJSON feature number or the CSV line number. */
  row: number;
  properties: Record<string, unknown>;
  geometry?: unknown;
  /** A problem the reader found in this row alone (a CSV line with too many fields …). */
  problem?: string;
}

/** Stable codes for why a row was rejected: an admin UI can group and filter by them. */
export type RejectProblem =
  | 'bad_code'
  | 'missing_field'
  | 'bad_value'
  | 'unknown_parent'
  | 'parent_mismatch'
  | 'unknown_reference'
  | 'duplicate'
  | 'bad_geometry'
  | 'outside_china'
  | 'swapped_coordinates'
  | 'unknown_category'
  | 'no_unit_grid'
  | 'malformed_row'
  | 'database';

export interface Reject {
  row: number;
  /** The row's code, id or address as far as it could be read. */
  key: string | null;
  problem: RejectProblem;
  reason: string;
}

export interface ImportReport {
  runId: number;
  kind: ImportKindName;
  source: string;
  crs: Crs;
  format: 'geojson' | 'csv' | 'rows';
  status: 'done' | 'failed';
  rowsRead: number;
  imported: number;
  rejected: number;
  /** The first rejects in row order (how many is `maxRejectsKept`). */
  rejects: Reject[];
  rejectsByProblem: Partial<Record<RejectProblem, number>>;
  warnings: string[];
  /** Set when the file itself failed (malformed JSON …); committed batches stay. */
  error?: string;
  durationMs: number;
  rowsPerSecond: number;
}

export interface ImportProgress {
  kind: ImportKindName;
  rowsRead: number;
  imported: number;
  rejected: number;
  elapsedMs: number;
  rowsPerSecond: number;
  /** For files: bytes consumed so far and the file size, for a percentage. */
  bytesRead?: number;
  totalBytes?: number;
  done: boolean;
}

export type ProgressListener = (p: ImportProgress) => void;

export interface ImportOptions {
  crs?: Crs;
  /** Rows per transaction. */
  batchSize?: number;
  /** What the run is called in import_runs (a file name; "rows" for in-memory input). */
  source?: string;
  format?: ImportReport['format'];
  /** Rejects kept in the returned report; import_runs keeps up to `storedRejects`. */
  maxRejectsKept?: number;
  storedRejects?: number;
  /** A repaired polygon may differ from the original in area by this fraction at most. */
  repairAreaTolerance?: number;
  warnings?: string[];
  onProgress?: ProgressListener;
  /** Progress is reported at most this often (ms); every batch when 0. */
  progressIntervalMs?: number;
  /** For files: bytes consumed so far. */
  bytesRead?: () => number;
  totalBytes?: number;
  /** Where secrets made for rows go, once (a new device's token: see kinds/devices.ts). */
  secret?: (key: string, value: string) => void;
}

/** The file as a whole cannot be imported: missing, unreadable, malformed. Maps to HTTP 400. */
export class ImportFileError extends AppError {
  constructor(
    message: string,
    /** The partial report when the problem showed up after some batches were committed. */
    public report?: ImportReport,
  ) {
    super('bad_request', message);
  }
}
