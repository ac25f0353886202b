import crypto from 'node:crypto';
import gcoord from 'gcoord';
import { audit, changes } from '../audit/audit.ts';
import type { Principal } from '../auth/auth.service.ts';
import type { Queryable } from '../db/db.ts';
import { AppError, notFound } from '../errors.ts';
import { scopeOf } from './alarm.service.ts';
import type { DeviceBroker } from './broker.provision.ts';
import { type DeviceDirectory, hashDeviceToken } from './device.directory.ts';
import type {
  Device,
  DeviceFilter,
  DeviceRepository,
  DeviceStatus,
  DeviceType,
  DeviceWrite,
} from './device.repository.ts';
import type { DeviceErrorCount, IngestStats } from './ingest.stats.ts';
import type { ReadingsRepository } from './readings.repository.ts';

export type Crs = 'wgs84' | 'gcj02' | 'bd09';
export interface LocationInput {
  lng: number;
  lat: number;
  crs?: Crs;
}

export interface DeviceCreate {
  id?: string;
  typeId: string;
  name: string;
  location: LocationInput | null;
  componentId?: string | null;
  ownerDeptCode?: string | null;
  disabled?: boolean;
}

export interface DevicePatch {
  typeId?: string;
  name?: string;
  location?: LocationInput | null;
  componentId?: string | null;
  ownerDeptCode?: string | null;
  disabled?: boolean;
  rotateToken?: boolean;
}

export interface LatestValue {
  metric: string;
  ts: string;
  value: number | boolean | string | null;
}

export interface DeviceDetail extends Device {
  latest: LatestValue[];
  ingestErrors: DeviceErrorCount[];
}

/** Stored in WGS-84; Chinese web-map coordinates (GCJ-02, BD-09) are converted on the way in. */
function toWgs84(l: LocationInput): { lng: number; lat: number } {
  if (!l.crs || l.crs === 'wgs84') return { lng: l.lng, lat: l.lat };
  const [lng, lat] = gcoord.transform(
    [l.lng, l.lat],
    l.crs === 'gcj02' ? gcoord.GCJ02 : gcoord.BD09,
    gcoord.WGS84,
  );
  return { lng: Math.round(lng * 1e7) / 1e7, lat: Math.round(lat * 1e7) / 1e7 };
}

const newToken = () => crypto.randomBytes(24).toString('base64url');

/** Maps foreign-key and unique violations to errors the caller can act on. */
function mapDbError(e: unknown, id: string): never {
  const err = e as { code?: string; constraint?: string; detail?: string; message?: string };
  if (err.code === '23505') throw new AppError('conflict', `device ${id} already exists`);
  if (err.code === '23503') {
    const what =
      /component/.test(err.message ?? '') || /component/.test(err.constraint ?? '')
        ? 'componentId'
        : /owner_dept|department/.test(`${err.message} ${err.constraint}`)
          ? 'ownerDeptCode'
          : 'typeId';
    throw new AppError('validation_failed', `${what} does not exist`, { field: what });
  }
  if (err.code === '23514') throw new AppError('validation_failed', `invalid device: ${err.message}`);
  throw e;
}

/** The broker did not take a credentials change: nothing was changed (503). */
const brokerUnavailable = (what: string, e: unknown) =>
  new AppError(
    'unavailable',
    `The MQTT broker did not take the device's ${what}, so nothing was changed; try again when the broker is back (${
      e instanceof Error ? e.message : String(e)
    })`,
  );

export function deviceService(d: {
  /** Where its audit entries go. */
  db: Queryable;
  repo: DeviceRepository;
  readings: ReadingsRepository;
  directory: DeviceDirectory;
  stats: IngestStats;
  /** Server mode with provisioning: device credentials live on the broker too. */
  broker?: DeviceBroker;
}) {
  const visible = (p: Principal, device: Device) => {
    const scope = scopeOf(p);
    return scope === undefined || (device.unitGridCode?.startsWith(scope) ?? false);
  };

  /** A district administrator places devices in their district only. */
  async function checkArea(p: Principal, location: { lng: number; lat: number } | null) {
    const scope = scopeOf(p);
    if (scope === undefined) return;
    const grid = location ? await d.repo.gridAt(location.lng, location.lat) : null;
    if (!grid?.startsWith(scope)) throw new AppError('forbidden', 'The device location is outside your area');
  }

  async function getVisible(p: Principal, id: string): Promise<Device> {
    const device = await d.repo.get(id);
    if (!device || !visible(p, device)) throw notFound('device', id);
    return device;
  }

  const syncDirectory = (device: Device, tokenHash: string) =>
    d.directory.put({
      id: device.id,
      typeId: device.typeId,
      tokenHash,
      status: device.status,
      unitGridCode: device.unitGridCode,
    });

  return {
    listTypes: (): Promise<DeviceType[]> => d.repo.listTypes(),

    list(p: Principal, f: Omit<DeviceFilter, 'scope'>) {
      const scope = scopeOf(p);
      return d.repo.list({ ...f, ...(scope !== undefined ? { scope } : {}) });
    },

    async get(p: Principal, id: string): Promise<DeviceDetail> {
      const device = await getVisible(p, id);
      const type = d.directory.type(device.typeId);
      const latest = (await d.readings.latest(id)).map((l) => ({
        metric: l.metric,
        ts: l.ts,
        value:
          l.txt ?? (type?.metrics.get(l.metric)?.type === 'boolean' && l.num !== null ? l.num === 1 : l.num),
      }));
      return { ...device, latest, ingestErrors: await d.stats.deviceErrors(id) };
    },

    /** Creates a device; its token is in the answer once and only its hash is kept. */
    async create(p: Principal, input: DeviceCreate): Promise<{ device: Device; token: string }> {
      const id = input.id ?? `${input.typeId}-${crypto.randomBytes(5).toString('hex')}`;
      const token = newToken();
      const tokenHash = hashDeviceToken(token);
      const w: DeviceWrite = {
        typeId: input.typeId,
        name: input.name,
        location: input.location ? toWgs84(input.location) : null,
        componentId: input.componentId ?? null,
        ownerDeptCode: input.ownerDeptCode ?? null,
        status: input.disabled ? 'disabled' : 'offline',
      };
      if (!d.directory.type(w.typeId))
        throw new AppError('validation_failed', `unknown device type ${w.typeId}`);
      await checkArea(p, w.location);
      const device = await d.repo.insert(id, tokenHash, w).catch((e: unknown) => mapDbError(e, id));
      if (d.broker) {
        // The token is known only now: the broker must have it before the answer leaves.
        try {
          await d.broker.issue(id, token, device.status === 'disabled');
        } catch (e) {
          await d.repo.delete(id);
          throw brokerUnavailable('credentials', e);
        }
      }
      // The device repository owns its transactions: the entry follows the change's commit.
      await audit.record(d.db, {
        action: 'config.device',
        object: `device:${id}`,
        details: { before: null, after: w },
      });
      syncDirectory(device, tokenHash);
      return { device, token };
    },

    async update(p: Principal, id: string, patch: DevicePatch): Promise<{ device: Device; token?: string }> {
      const current = await getVisible(p, id);
      const status: DeviceStatus =
        patch.disabled === undefined
          ? current.status
          : patch.disabled
            ? 'disabled'
            : current.status === 'disabled'
              ? 'offline'
              : current.status;
      const w: DeviceWrite = {
        typeId: patch.typeId ?? current.typeId,
        name: patch.name ?? current.name,
        location:
          patch.location === undefined
            ? current.location
            : patch.location === null
              ? null
              : toWgs84(patch.location),
        componentId: patch.componentId === undefined ? current.componentId : patch.componentId,
        ownerDeptCode: patch.ownerDeptCode === undefined ? current.ownerDeptCode : patch.ownerDeptCode,
        status,
      };
      if (!d.directory.type(w.typeId))
        throw new AppError('validation_failed', `unknown device type ${w.typeId}`);
      if (patch.location !== undefined) await checkArea(p, w.location);
      const token = patch.rotateToken ? newToken() : undefined;
      const tokenHash = token ? hashDeviceToken(token) : undefined;
      const previousHash = d.broker && tokenHash ? await d.repo.tokenHash(id) : undefined;
      const device = await d.repo.update(id, w, tokenHash).catch((e: unknown) => mapDbError(e, id));
      if (!device) throw notFound('device', id);
      const disabled = device.status === 'disabled';
      if (d.broker && (token || disabled !== (current.status === 'disabled'))) {
        try {
          if (token) await d.broker.issue(id, token, disabled);
          else await d.broker.setDisabled(id, disabled);
        } catch (e) {
          // Put the row back as it was: the database and the broker must not disagree.
          const back: DeviceWrite = {
            typeId: current.typeId,
            name: current.name,
            location: current.location,
            componentId: current.componentId,
            ownerDeptCode: current.ownerDeptCode,
            status: current.status,
          };
          await d.repo.update(id, back, previousHash);
          throw brokerUnavailable(token ? 'new token' : disabled ? 'disabling' : 'enabling', e);
        }
      }
      await audit.record(d.db, {
        action: 'config.device',
        object: `device:${id}`,
        details: {
          ...changes(current as unknown as Record<string, unknown>, { ...current, ...w }),
          tokenRotated: Boolean(token),
        },
      });
      const known = d.directory.get(id);
      syncDirectory(device, tokenHash ?? known?.tokenHash ?? '');
      if (!tokenHash && !known) await d.directory.refresh();
      return token ? { device, token } : { device };
    },

    async remove(p: Principal, id: string): Promise<void> {
      const before = await getVisible(p, id);
      // The broker first: a device that is gone must not be able to publish any more.
      if (d.broker)
        await d.broker.remove(id).catch((e: unknown) => Promise.reject(brokerUnavailable('removal', e)));
      await d.repo.delete(id);
      await audit.record(d.db, {
        action: 'config.device',
        object: `device:${id}`,
        details: { before, after: null },
      });
      d.directory.remove(id);
    },

    getVisible,
  };
}
export type DeviceService = ReturnType<typeof deviceService>;
