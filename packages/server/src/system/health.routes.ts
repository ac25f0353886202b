import { type Static, Type } from '@sinclair/typebox';
import type { Db } from '../db/db.ts';
import type { App } from '../http/app.ts';
import type { CheckReport, Readiness } from './readiness.ts';

export interface HealthDeps {
  db: Db;
  /** State of the MQTT broker or connection, filled in by the ingestion role. */
  broker: () => {
    mode: 'embedded' | 'external' | 'off';
    connected: boolean;
    subscribed?: boolean;
    url?: string;
    error?: string;
  };
  /** Every role of this process registers what must work for it (`database`, `ingest`, …). */
  readiness: Readiness;
  startedAt: Date;
  /** Bounds the extra queries of `GET /api/v1/health` (PostGIS version, demo flag). */
  timeoutMs?: number;
}

const Check = Type.Object({
  name: Type.String({ description: 'database, ingest, …' }),
  ok: Type.Boolean(),
  detail: Type.Optional(Type.String({ description: 'why it fails, or a short note' })),
});

const ReadinessBody = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  failing: Type.Array(Type.String(), { description: 'names of the checks that fail' }),
  checks: Type.Array(Check),
});

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const failing = (checks: CheckReport[]) => checks.filter((c) => !c.ok).map((c) => c.name);

export function healthRoutes(app: App, { db, broker, readiness, startedAt, timeoutMs = 2000 }: HealthDeps) {
  app.get(
    '/api/v1/health/live',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Liveness: 200 while the process runs (restart it when this fails)',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('live'), uptimeSeconds: Type.Number() }) },
      },
    },
    async () => ({
      status: 'live' as const,
      uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    }),
  );

  app.get(
    '/api/v1/health/ready',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Readiness: 200 only when every role of this process works, else 503 naming what fails',
        security: [],
        response: { 200: ReadinessBody, 503: ReadinessBody },
      },
    },
    async (_request, reply) => {
      const r = await readiness.run();
      const body: Static<typeof ReadinessBody> = {
        status: r.ok ? 'ready' : 'not_ready',
        failing: failing(r.checks),
        checks: r.checks,
      };
      if (!r.ok) reply.header('retry-after', '5').status(503);
      return body;
    },
  );

  app.get(
    '/api/v1/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary: 'The state of the process, the database and the broker',
        description:
          '`ok`: every check passes; `degraded`: the API answers but a part fails (ingest, the broker); ' +
          '`down`: the database does not answer, so neither does most of the API.',
        security: [],
        response: {
          200: Type.Object({
            status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down')]),
            version: Type.String(),
            uptimeSeconds: Type.Number(),
            database: Type.Object({
              engine: Type.String(),
              ok: Type.Boolean(),
              postgis: Type.Optional(Type.String()),
            }),
            broker: Type.Object({
              mode: Type.String(),
              connected: Type.Boolean(),
              subscribed: Type.Optional(Type.Boolean()),
              url: Type.Optional(Type.String()),
              error: Type.Optional(
                Type.String({
                  description: 'why the broker connection is down (a refusal, the broker away)',
                }),
              ),
            }),
            demo: Type.Boolean({
              description:
                'Demo data is loaded: the demo accounts exist (the login page lists them). Public by design: ' +
                'a demo installation publishes its accounts anyway.',
            }),
            checks: Type.Optional(Type.Array(Check, { description: 'the readiness checks' })),
          }),
        },
      },
    },
    async () => {
      const r = await readiness.run();
      let ok = r.checks.find((c) => c.name === 'database')?.ok ?? true;
      let postgis: string | undefined;
      let demo = false;
      if (ok) {
        try {
          const [v, d] = await withTimeout(
            Promise.all([
              db.query<{ v: string }>('SELECT postgis_lib_version() AS v'),
              db.query<{ demo: boolean }>(
                'SELECT EXISTS (SELECT 1 FROM users WHERE demo AND active) AS demo',
              ),
            ]),
            timeoutMs,
          );
          postgis = v.rows[0]?.v;
          demo = d.rows[0]?.demo === true;
        } catch {
          ok = false;
        }
      }
      const b = broker();
      const degraded = !r.ok || (b.mode !== 'off' && !b.connected);
      return {
        status: !ok ? ('down' as const) : degraded ? ('degraded' as const) : ('ok' as const),
        version: '0.1.0',
        uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
        database: { engine: db.engine, ok, ...(postgis ? { postgis } : {}) },
        broker: b,
        demo,
        checks: r.checks,
      };
    },
  );
}
