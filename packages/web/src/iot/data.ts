/** IoT on the client: alarms, devices and readings through the typed client, and live alarm events. */
import { api, type components, unwrap } from '../api/client.ts';
import { useEventStream } from '../api/stream.ts';

export type Alarm = components['schemas']['Alarm'];
export type AlarmDetail = components['schemas']['AlarmDetail'];
export type Device = components['schemas']['Device'];
export type DeviceType = components['schemas']['DeviceType'];
export type Severity = Alarm['severity'];
export type DeviceStatus = Device['status'];
export type Bucket = 'raw' | '1m' | '1h';

export const severities: readonly Severity[] = ['critical', 'major', 'minor', 'warning'];

export interface AlarmQuery {
  active?: boolean;
  acknowledged?: boolean;
  severity?: Severity;
}

export async function listAlarms(query: AlarmQuery): Promise<{ items: Alarm[]; total: number }> {
  return unwrap(api.GET('/api/v1/alarms', { params: { query: { limit: 200, ...query } } }));
}

export function getAlarm(id: number): Promise<AlarmDetail> {
  return unwrap(api.GET('/api/v1/alarms/{id}', { params: { path: { id } } }));
}

export function acknowledge(id: number): Promise<Alarm> {
  return unwrap(api.POST('/api/v1/alarms/{id}/ack', { params: { path: { id } } }));
}

export async function listDevices(query: {
  status?: DeviceStatus;
  type?: string;
  q?: string;
}): Promise<{ items: Device[]; total: number }> {
  return unwrap(api.GET('/api/v1/devices', { params: { query: { limit: 500, ...query } } }));
}

export function deviceTypes(): Promise<DeviceType[]> {
  return unwrap(api.GET('/api/v1/device-types'));
}

export interface Point {
  ts: string;
  value?: number | boolean | string | null;
  min?: number;
  max?: number;
  avg?: number;
}

/**
 * A metric's readings over the last `hours`: the raw readings when there are not too many (they are
 * there the moment they are stored), else the 1-minute rollups (kept by the scheduler, a little behind).
 */
export async function readings(deviceId: string, metric: string, hours: number): Promise<Point[]> {
  const to = new Date();
  const from = new Date(to.getTime() - hours * 3600_000);
  const limit = 5000;
  const get = async (bucket: Bucket) =>
    (
      await unwrap(
        api.GET('/api/v1/devices/{id}/readings', {
          params: {
            path: { id: deviceId },
            query: { metric, from: from.toISOString(), to: to.toISOString(), bucket, limit },
          },
        }),
      )
    ).points as Point[];
  const raw = await get('raw');
  return raw.length < limit ? raw : get(hours > 48 ? '1h' : '1m');
}

/** The number a point draws at: the value itself, or the bucket's average. */
export function pointValue(p: Point): number | null {
  if (typeof p.avg === 'number') return p.avg;
  if (typeof p.value === 'number') return p.value;
  if (typeof p.value === 'boolean') return p.value ? 1 : 0;
  return null;
}

const alarmEvents = ['alarm.raised', 'alarm.acknowledged', 'alarm.cleared'];

/** Alarm changes in the user's area, live; returns whether the stream is connected. */
export function useAlarmStream(onChange: (kind: string, payload: Record<string, unknown>) => void): boolean {
  return useEventStream('alarm', alarmEvents, onChange);
}
