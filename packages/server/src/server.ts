/**
 * The composition root: wires repositories and services with their explicit deps and mounts
 * the routes. `onegrid serve` and the HTTP tests both build the server here.
 */

import os from 'node:os';
import path from 'node:path';
import { minAuditRetentionDays } from '@onegrid/domain';
import { adminRoutes } from './admin/admin.routes.ts';
import { assessmentRoutes } from './assessment/assessment.routes.ts';
import { attachmentRoutes } from './attachments/attachment.routes.ts';
import { attachmentService } from './attachments/attachment.service.ts';
import { startAuditRetention } from './audit/audit.retention.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { registerAuditContext } from './audit/audit.ts';
import { authRepository } from './auth/auth.repository.ts';
import { authRoutes, UserSchema } from './auth/auth.routes.ts';
import { authService } from './auth/auth.service.ts';
import { type Cases, createCases } from './cases/cases.module.ts';
import { categoriesRepository } from './categories/categories.repository.ts';
import { categoriesRoutes } from './categories/categories.routes.ts';
import { categoriesService } from './categories/categories.service.ts';
import { commandRoutes } from './command/command.routes.ts';
import type { Config } from './config.ts';
import { createDbAvailability } from './db/availability.ts';
import type { Db } from './db/db.ts';
import { startOutboxRetention } from './events/outbox.retention.ts';
import { type EventBus, startEventBus } from './events/outbox.ts';
import { streamRoutes } from './events/stream.routes.ts';
import { createGeo } from './geo/geo.module.ts';
import type { GeoService } from './geo/geo.service.ts';
import { type App, createApp } from './http/app.ts';
import { ErrorBody } from './http/schemas.ts';
import { defaultRateLimits, type RateLimits } from './http/security.ts';
import { type AlarmCases, startAlarmCases } from './iot/alarm-cases.ts';
import { createIot, type Iot, type IotConfig, iotRoutes } from './iot/iot.ts';
import type { Logger } from './logger.ts';
import { open311Routes } from './open311/open311.routes.ts';
import { open311Service } from './open311/open311.service.ts';
import { patrolRoutes } from './patrol/patrol.routes.ts';
import { patrolService } from './patrol/patrol.service.ts';
import { defaultPublicLimits, publicRoutes } from './public/public.routes.ts';
import { publicService } from './public/public.service.ts';
import { healthRoutes } from './system/health.routes.ts';
import { metricsRoutes } from './system/metrics.routes.ts';
import { createMetrics } from './system/metrics.ts';
import { createReadiness, type Readiness } from './system/readiness.ts';
import { createVitals, type Vitals } from './vitals/vitals.module.ts';

export interface ServerDeps {
  db: Db;
  log: Logger;
  config: Pick<Config, 'sessionHours' | 'webDir'> &
    Partial<Pick<Config, 'attachmentsDir' | 'maxUploadBytes'>> &
    Partial<IotConfig> &
    Partial<Pick<Config, 'vitalsTickSeconds' | 'vitalsHistoryMinutes' | 'auditRetentionDays'>> &
    Partial<Pick<Config, 'healthTimeoutMs' | 'metricsToken' | 'outboxRetentionDays' | 'mapSources'>> & {
      rateLimits?: Partial<RateLimits>;
    };
  clock?: () => Date;
}

export interface Server {
  app: App;
  /** Devices, readings, rules, alarms: shared with the ingest role (`startIot`). */
  iot: Iot;
  /** Locate and its index: call `geo.refresh()` after writing areas or grids in this process. */
  geo: GeoService;
  /** The closed loop: case service, loop settings, deadline scheduler. */
  cases: Cases;
  /** Committed events (outbox), as the SSE stream sees them. */
  bus: EventBus;
  /** Alarm → case: files cases for alarms, closes them when the device recovers. */
  alarmCases: AlarmCases;
  /** City vital signs: live values in memory, history, indicator definitions. */
  vitals: Vitals;
  /** What must work for this process to be ready; roles register their checks (`ingest`, …). */
  readiness: Readiness;
  close(): Promise<void>;
}

export async function buildServer({
  db,
  log,
  config,
  clock = () => new Date(),
}: ServerDeps): Promise<Server> {
  const auth = authService({ users: authRepository(db), db, clock, sessionHours: config.sessionHours });
  const healthTimeoutMs = config.healthTimeoutMs ?? 2000;
  const dblog = log.child({ category: 'db' });
  const availability = createDbAvailability(db, {
    timeoutMs: healthTimeoutMs,
    onChange: (up, reason) =>
      up
        ? dblog.info('the database answers again')
        : dblog.error({ reason }, 'the database is not answering'),
  });
  const readiness = createReadiness({ timeoutMs: healthTimeoutMs + 500 });
  readiness.register('database', async () => {
    const r = await availability.probe();
    return r.ok ? { ok: true, detail: db.engine } : { ok: false, reason: r.reason };
  });
  const app = await createApp({
    logger: log.child({ category: 'http' }),
    auth,
    webDir: config.webDir,
    availability,
    ...(config.mapSources ? { mapSources: config.mapSources } : {}),
  });
  const limits: RateLimits = { ...defaultRateLimits, ...config.rateLimits };
  // Sources are read when scraped, after everything below exists.
  const metrics = createMetrics({
    db,
    availability,
    outbox: () => bus.stats(),
    sseClients: () => stream.clients(),
    ingest: () => ({
      ...iot.stats.totals(),
      pending: iot.sink.pending(),
      lastMessageAgeSeconds: (Date.now() - iot.activity.lastMessageAt()) / 1000,
    }),
  });
  metrics.instrument(app);
  await registerAuditContext(app);
  app.addSchema(ErrorBody);
  app.addSchema(UserSchema);

  await authRoutes(app, auth, limits.loginPerMinute);
  categoriesRoutes(app, categoriesService({ categories: categoriesRepository(db), db }));
  const geo = createGeo({ db, log });
  await geo.mount(app);
  const bus = startEventBus(db, {
    onError: (e) => log.warn({ err: e, category: 'events' }, 'outbox poll failed; retrying'),
    onRecover: () => log.info({ category: 'events' }, 'outbox polls again'),
  });
  const stream = streamRoutes(app, bus);
  const outboxRetention = startOutboxRetention({
    db,
    log,
    clock,
    retentionDays: config.outboxRetentionDays ?? 7,
  });
  const iot = await createIot({ db, log, clock, config, onEventsCommitted: () => bus.nudge() });
  iotRoutes(app, iot);
  const attachments = attachmentService({
    db,
    dir: config.attachmentsDir ?? path.join(os.tmpdir(), `onegrid-attachments-${process.pid}`),
    maxBytes: config.maxUploadBytes ?? 10 * 1024 * 1024,
  });
  await attachmentRoutes(app, attachments);
  const cases = await createCases(app, { db, log, clock, geo: geo.service, bus });
  const alarmCases = startAlarmCases({ db, log, clock, alarms: iot.alarms, cases: cases.service });
  await open311Routes(app, open311Service({ db, cases: cases.service, clock }), limits.open311PostsPerMinute);
  await publicRoutes(app, publicService({ db, cases: cases.service, attachments }), {
    ...defaultPublicLimits,
    reportsPerMinute: limits.publicReportsPerMinute,
  });
  assessmentRoutes(app, { db, clock });
  const vitals = createVitals(app, {
    db,
    log,
    clock,
    bus,
    options: {
      tickMs: (config.vitalsTickSeconds ?? 30) * 1000,
      historyEveryMs: (config.vitalsHistoryMinutes ?? 5) * 60_000,
    },
  });
  adminRoutes(app, { db, refreshGeo: () => geo.service.refresh({ force: true }) });
  commandRoutes(app, { db, clock });
  patrolRoutes(app, patrolService({ db, clock, locate: (lng, lat) => geo.service.locateWgs84(lng, lat) }));
  auditRoutes(app, { db });
  const auditRetention = startAuditRetention({
    db,
    days: config.auditRetentionDays ?? minAuditRetentionDays,
    onError: (e) => log.warn({ err: e, category: 'audit' }, 'audit retention failed'),
  });
  app.addHook('onClose', async () => auditRetention.close());
  healthRoutes(app, {
    db,
    broker: () => iot.brokerState(),
    readiness,
    startedAt: new Date(),
    timeoutMs: healthTimeoutMs,
  });
  metricsRoutes(app, { metrics, token: config.metricsToken });

  await app.ready();
  return {
    app,
    iot,
    geo: geo.service,
    cases,
    bus,
    alarmCases,
    vitals,
    readiness,
    async close() {
      await app.close();
      availability.close();
      await outboxRetention.close();
      await vitals.close();
      await alarmCases.close();
      await cases.close();
      await bus.close();
      await geo.close();
      await iot.close();
    },
  };
}
