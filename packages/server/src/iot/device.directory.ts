import crypto from 'node:crypto';
import type { Logger } from '../logger.ts';
import type { DeviceAuth, DeviceRepository, DeviceType } from './device.repository.ts';
import type { MetricDef } from './telemetry.parse.ts';

export const hashDeviceToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export interface DirectoryType {
  id: string;
  metrics: ReadonlyMap<string, MetricDef>;
  expectedIntervalS: number;
}

/**
 * Devices and types in memory, for the ingest hot path (authentication and validation at tens of
 * thousands of messages a second cannot ask the database). Changes made in this process apply at
 * once; changes made elsewhere (imports, another server) are picked up by polling `updated_at`.
 */
export interface DeviceDirectory {
  get(id: string): DeviceAuth | undefined;
  /** Like get, but asks the database on a miss (a device registered by another process). */
  lookup(id: string): Promise<DeviceAuth | undefined>;
  type(id: string): DirectoryType | undefined;
  all(): IterableIterator<DeviceAuth>;
  verifyToken(device: DeviceAuth, token: string): boolean;
  put(device: DeviceAuth): void;
  remove(id: string): void;
  refresh(): Promise<void>;
  close(): void;
}

export async function createDeviceDirectory(o: {
  repo: DeviceRepository;
  log: Logger;
  refreshMs?: number;
}): Promise<DeviceDirectory> {
  const devices = new Map<string, DeviceAuth>();
  const types = new Map<string, DirectoryType>();
  // Unknown ids asked recently: a flood of bad client ids must not become a flood of queries.
  const misses = new Map<string, number>();
  let since: Date | undefined;
  let lastMissRefresh = 0;

  const loadTypes = (list: DeviceType[]) => {
    types.clear();
    for (const t of list) {
      types.set(t.id, {
        id: t.id,
        metrics: new Map(t.metrics.map((m) => [m.key, m])),
        expectedIntervalS: t.expectedIntervalS,
      });
    }
  };

  async function refresh() {
    loadTypes(await o.repo.listTypes());
    // Overlap the window a little: a transaction may commit an older updated_at after we read.
    const r = await o.repo.authRows(since ? new Date(since.getTime() - 5000) : undefined);
    for (const d of r.rows) devices.set(d.id, d);
    if (r.maxUpdated && (!since || r.maxUpdated > since)) since = r.maxUpdated;
    if (r.count !== devices.size) {
      // Something was deleted elsewhere: reload everything once.
      const all = await o.repo.authRows();
      devices.clear();
      for (const d of all.rows) devices.set(d.id, d);
    }
  }

  await refresh();
  let refreshing = false;
  const timer = setInterval(() => {
    if (refreshing) return;
    refreshing = true;
    refresh()
      .catch((e) => o.log.warn({ err: e }, 'device directory refresh failed'))
      .finally(() => {
        refreshing = false;
      });
  }, o.refreshMs ?? 10_000);
  timer.unref();

  return {
    get: (id) => devices.get(id),
    async lookup(id) {
      const known = devices.get(id);
      if (known) return known;
      const missedAt = misses.get(id);
      if (missedAt !== undefined && Date.now() - missedAt < 10_000) return undefined;
      // Random ids must not turn into a query each: at most one refresh a second for misses.
      if (Date.now() - lastMissRefresh >= 1000) {
        lastMissRefresh = Date.now();
        await refresh();
      }
      const found = devices.get(id);
      if (!found) {
        if (misses.size > 10_000) misses.clear();
        misses.set(id, Date.now());
      }
      return found;
    },
    type: (id) => types.get(id),
    all: () => devices.values(),
    verifyToken(device, token) {
      const a = Buffer.from(hashDeviceToken(token), 'hex');
      const b = Buffer.from(device.tokenHash, 'hex');
      return a.length === b.length && crypto.timingSafeEqual(a, b);
    },
    put(device) {
      devices.set(device.id, device);
      misses.delete(device.id);
    },
    remove: (id) => devices.delete(id),
    refresh,
    close: () => clearInterval(timer),
  };
}
