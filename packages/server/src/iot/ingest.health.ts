/**
 * Is ingest working? Connected to the broker, holding its subscription, and not stalled: when
 * nothing has arrived for `stallMs` while devices were recently active, something between the
 * devices and this process is broken (a lost subscription, a stuck broker queue) even if every
 * connection looks fine. The ingest role registers `check` as the readiness check `ingest`.
 */
import type { Db } from '../db/db.ts';
import type { CheckResult } from '../system/readiness.ts';
import type { BrokerState } from './broker.ts';
import type { IngestStats } from './ingest.stats.ts';

export interface IngestActivity {
  /** When a telemetry message last reached this process (epoch ms), or when watching began. */
  lastMessageAt(): number;
  close(): void;
}

/** Watches the ingest counters (accepted + rejected) once a second for progress. */
export function watchIngestActivity(stats: IngestStats, now: () => number = Date.now): IngestActivity {
  const count = () => {
    const t = stats.totals();
    return t.accepted + t.rejected;
  };
  let seen = count();
  let lastAt = now();
  const sample = () => {
    const n = count();
    if (n !== seen) {
      seen = n;
      lastAt = now();
    }
  };
  const timer = setInterval(sample, 1000);
  timer.unref();
  return {
    lastMessageAt() {
      sample();
      return lastAt;
    },
    close: () => clearInterval(timer),
  };
}

export function ingestCheck(o: {
  db: Db;
  state: () => BrokerState;
  activity: IngestActivity;
  stallMs: number;
  /** Devices seen within this window count as active (default: an hour, or 10 × stallMs). */
  activeWindowMs?: number;
  now?: () => number;
}): () => Promise<CheckResult> {
  const now = o.now ?? Date.now;
  const window = o.activeWindowMs ?? Math.max(3_600_000, 10 * o.stallMs);
  return async () => {
    const s = o.state();
    if (s.mode === 'off') return { ok: false, reason: 'ingest is not running' };
    if (!s.connected) {
      return {
        ok: false,
        reason: `not connected to the MQTT broker${s.url ? ` at ${s.url}` : ''}${s.error ? ` (${s.error})` : ''}; retrying`,
      };
    }
    if (s.subscribed === false) {
      return { ok: false, reason: 'connected but not subscribed: the broker sends this worker nothing' };
    }
    const quietMs = now() - o.activity.lastMessageAt();
    if (quietMs < o.stallMs) return { ok: true };
    const active = (
      await o.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM devices
          WHERE status <> 'disabled' AND last_seen_at > $1::timestamptz`,
        [new Date(now() - window).toISOString()],
      )
    ).rows[0]?.n;
    if (!active) return { ok: true, detail: 'no devices active' };
    return {
      ok: false,
      reason: `stalled: no message for ${Math.round(quietMs / 1000)} s while ${active} devices were active in the last ${Math.round(window / 60_000)} min`,
    };
  };
}
