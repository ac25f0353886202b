import { Type } from '@sinclair/typebox';
import type { Db } from '../db/db.ts';
import type { App } from '../http/app.ts';

export interface HealthDeps {
  db: Db;
  /** State of the MQTT broker or connection, filled in by the ingestion role. */
  broker: () => { mode: 'embedded' | 'external' | 'off'; connected: boolean; url?: string };
  startedAt: Date;
}

export function healthRoutes(app: App, { db, broker, startedAt }: HealthDeps) {
  app.get(
    '/api/v1/health',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        summary: 'Liveness and the state of the database and broker',
        security: [],
        response: {
          200: Type.Object({
            status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
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
              url: Type.Optional(Type.String()),
            }),
            demo: Type.Boolean({
              description:
                'Demo data is loaded: the demo accounts exist (the login page lists them). Public by design: ' +
                'a demo installation publishes its accounts anyway.',
            }),
          }),
        },
      },
    },
    async () => {
      let ok = true;
      let postgis: string | undefined;
      let demo = false;
      try {
        postgis = (await db.query<{ v: string }>('SELECT postgis_lib_version() AS v')).rows[0]?.v;
        demo =
          (
            await db.query<{ demo: boolean }>(
              'SELECT EXISTS (SELECT 1 FROM users WHERE demo AND active) AS demo',
            )
          ).rows[0]?.demo === true;
      } catch {
        ok = false;
      }
      const b = broker();
      return {
        status: ok && (b.mode === 'off' || b.connected) ? ('ok' as const) : ('degraded' as const),
        version: '0.1.0',
        uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
        database: { engine: db.engine, ok, ...(postgis ? { postgis } : {}) },
        broker: b,
        demo,
      };
    },
  );
}
