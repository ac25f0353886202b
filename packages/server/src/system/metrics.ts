/**
 * Prometheus metrics (prom-client). One registry per server (tests run several in one process);
 * most series are read from their source when scraped (`collect`), so nothing on a hot path
 * pays for them. Only the HTTP latency histogram is observed per request.
 */
import client from 'prom-client';
import type { DbAvailability } from '../db/availability.ts';
import type { Db } from '../db/db.ts';
import type { App } from '../http/app.ts';

export interface MetricsSources {
  db: Db;
  availability?: DbAvailability;
  /** The SSE bus: delivered count and how far behind the outbox it is. */
  outbox?: () => { delivered: number; lagSeconds: number; pendingRecheck: number };
  sseClients?: () => number;
  /** Outbound deliveries not yet delivered, by kind of target and state (read from the database). */
  deliveries?: () => Promise<{ kind: string; state: string; n: number }[]>;
  /** Ingest in this process (undefined while the role does not run here). */
  ingest?: () =>
    | {
        accepted: number;
        rejected: number;
        /** Stored although over the device's rate (server mode: the broker acknowledged it already). */
        overRate?: number;
        byCode: Partial<Record<string, number>>;
        pending: number;
        lastMessageAgeSeconds: number | undefined;
      }
    | undefined;
}

export interface Metrics {
  registry: client.Registry;
  /** Times every HTTP request by its route pattern (never the raw URL: ids would explode the series). */
  instrument(app: App): void;
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'onegrid_' });

  const http = new client.Histogram({
    name: 'onegrid_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  new client.Gauge({
    name: 'onegrid_db_up',
    help: '1 while the database answers, 0 from the first connection failure until a probe succeeds',
    registers: [registry],
    collect() {
      this.set(sources.availability?.up === false ? 0 : 1);
    },
  });
  new client.Gauge({
    name: 'onegrid_db_pool_connections',
    help: 'PostgreSQL pool connections by state (total, idle, waiting callers, max)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const s = sources.db.poolStats?.();
      if (!s) return;
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
      this.set({ state: 'max' }, s.max);
    },
  });

  if (sources.outbox) {
    const outbox = sources.outbox;
    new client.Counter({
      name: 'onegrid_outbox_events_delivered_total',
      help: 'Outbox events this process delivered to its event stream',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(outbox().delivered);
      },
    });
    new client.Gauge({
      name: 'onegrid_outbox_lag_seconds',
      help: 'Seconds since the event stream last caught up with the outbox (grows while it cannot read)',
      registers: [registry],
      collect() {
        this.set(outbox().lagSeconds);
      },
    });
    new client.Gauge({
      name: 'onegrid_outbox_pending_recheck',
      help: 'Events delivered ahead of an older transaction still running (kept until it ends)',
      registers: [registry],
      collect() {
        this.set(outbox().pendingRecheck);
      },
    });
  }
  if (sources.sseClients) {
    const sse = sources.sseClients;
    new client.Gauge({
      name: 'onegrid_sse_clients',
      help: 'Open event streams (GET /api/v1/stream)',
      registers: [registry],
      collect() {
        this.set(sse());
      },
    });
  }
  if (sources.ingest) {
    const ingest = sources.ingest;
    new client.Counter({
      name: 'onegrid_ingest_messages_total',
      help: 'Telemetry messages by outcome (accepted, rejected)',
      labelNames: ['outcome'] as const,
      registers: [registry],
      collect() {
        this.reset();
        const s = ingest();
        if (!s) return;
        this.inc({ outcome: 'accepted' }, s.accepted);
        this.inc({ outcome: 'rejected' }, s.rejected);
      },
    });
    new client.Counter({
      name: 'onegrid_ingest_over_rate_total',
      help: 'Telemetry messages stored although their device was over its rate (acknowledged by the broker already)',
      registers: [registry],
      collect() {
        this.reset();
        const s = ingest();
        if (s?.overRate) this.inc(s.overRate);
      },
    });
    new client.Counter({
      name: 'onegrid_ingest_rejected_total',
      help: 'Rejected telemetry messages by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
      collect() {
        this.reset();
        const s = ingest();
        if (!s) return;
        for (const [reason, n] of Object.entries(s.byCode)) this.inc({ reason }, n ?? 0);
      },
    });
    new client.Gauge({
      name: 'onegrid_ingest_pending_readings',
      help: 'Readings received but not yet durable (the ingest lag)',
      registers: [registry],
      collect() {
        const s = ingest();
        if (s) this.set(s.pending);
      },
    });
    new client.Gauge({
      name: 'onegrid_ingest_last_message_age_seconds',
      help: 'Seconds since the last telemetry message reached this process',
      registers: [registry],
      collect() {
        const age = ingest()?.lastMessageAgeSeconds;
        if (age !== undefined) this.set(age);
      },
    });
  }

  if (sources.deliveries) {
    const deliveries = sources.deliveries;
    new client.Gauge({
      name: 'onegrid_deliveries',
      help: 'Outbound deliveries (webhooks, federation, hotline) pending or dead, by kind of target',
      labelNames: ['kind', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        // While the database is away the gauge is empty and onegrid_db_up says why.
        const rows = await deliveries().catch(() => []);
        for (const r of rows) this.set({ kind: r.kind, state: r.state }, r.n);
      },
    });
  }

  return {
    registry,
    instrument(app) {
      app.addHook('onResponse', async (request, reply) => {
        const route = request.routeOptions.url;
        // Unknown paths (404s, static files) share one label.
        http.observe(
          { method: request.method, route: route ?? 'unmatched', status_code: String(reply.statusCode) },
          reply.elapsedTime / 1000,
        );
      });
    },
  };
}
