/**
 * On duty (在岗): GPS fixes from watchPosition, thinned to one per 15 s or per 20 m moved, go into
 * the queue in batches (every 10 fixes, every minute, and when going off duty), so an offline
 * phone uploads its track later. The track drawn is the server's plus what is still on the phone.
 */
import { haversineMeters } from '@onegrid/domain';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import { newKey, type PointsItem } from './queue.ts';
import type { QueueState } from './useQueue.ts';

type Fix = PointsItem['points'][number];

const minGapMs = 15_000;
const minMoveM = 20;
const batchSize = 10;
const flushEveryMs = 60_000;

const dutyKey = (userId: number) => `onegrid.inspector.onDuty.${userId}`;

export interface Patrol {
  onDuty: boolean;
  setOnDuty(on: boolean): void;
  /** Oldest first: the server's track of the last 12 hours, then the phone's own fixes. */
  track: { lng: number; lat: number }[];
  error: 'denied' | 'unavailable' | null;
  pending: number;
}

export function usePatrol(userId: number, queue: QueueState): Patrol {
  const [onDuty, setDuty] = useState(() => {
    try {
      return localStorage.getItem(dutyKey(userId)) === '1';
    } catch {
      return false;
    }
  });
  const [serverTrack, setServerTrack] = useState<Fix[]>([]);
  const [local, setLocal] = useState<Fix[]>([]);
  const [error, setError] = useState<Patrol['error']>(null);
  const buffer = useRef<Fix[]>([]);
  const last = useRef<Fix | null>(null);
  const add = queue.add;

  const flush = useCallback(() => {
    if (!buffer.current.length) return;
    const points = buffer.current;
    buffer.current = [];
    void add({
      kind: 'points',
      key: newKey(),
      createdAt: new Date().toISOString(),
      state: 'queued',
      attempts: 0,
      points,
    });
  }, [add]);

  const setOnDuty = useCallback(
    (on: boolean) => {
      setDuty(on);
      try {
        localStorage.setItem(dutyKey(userId), on ? '1' : '0');
      } catch {
        // Remembered for this page only.
      }
      if (!on) flush();
    },
    [userId, flush],
  );

  const delivered = queue.items.filter((i) => i.kind === 'points').length;
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloaded when a batch left the queue
  useEffect(() => {
    let live = true;
    const from = new Date(Date.now() - 12 * 3600_000).toISOString();
    unwrap(api.GET('/api/v1/patrol/tracks', { params: { query: { from } } }))
      .then((tracks) => {
        if (!live) return;
        setServerTrack(
          tracks[0]?.points.map((p) => ({ recordedAt: p.recordedAt, lng: p.lng, lat: p.lat })) ?? [],
        );
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [delivered, queue.online]);

  useEffect(() => {
    if (!onDuty) return;
    if (!('geolocation' in navigator)) {
      setError('unavailable');
      return;
    }
    const id = navigator.geolocation.watchPosition(
      (pos) => {
        setError(null);
        const fix: Fix = {
          recordedAt: new Date(pos.timestamp).toISOString(),
          lng: pos.coords.longitude,
          lat: pos.coords.latitude,
          accuracyM: Math.round(pos.coords.accuracy),
        };
        const prev = last.current;
        if (
          prev &&
          Date.parse(fix.recordedAt) - Date.parse(prev.recordedAt) < minGapMs &&
          haversineMeters(prev, fix) < minMoveM
        ) {
          return;
        }
        if (prev && prev.recordedAt === fix.recordedAt) return;
        last.current = fix;
        buffer.current.push(fix);
        setLocal((l) => [...l, fix]);
        if (buffer.current.length >= batchSize) flush();
      },
      (e) => setError(e.code === e.PERMISSION_DENIED ? 'denied' : 'unavailable'),
      { enableHighAccuracy: true, maximumAge: 5000 },
    );
    const timer = setInterval(flush, flushEveryMs);
    return () => {
      navigator.geolocation.clearWatch(id);
      clearInterval(timer);
      flush();
    };
  }, [onDuty, flush]);

  const known = new Set(serverTrack.map((p) => p.recordedAt));
  const track = [...serverTrack, ...local.filter((p) => !known.has(p.recordedAt))];
  const pending =
    buffer.current.length +
    queue.items.reduce((n, i) => n + (i.kind === 'points' && i.state === 'queued' ? i.points.length : 0), 0);
  return { onDuty, setOnDuty, track, error, pending };
}
