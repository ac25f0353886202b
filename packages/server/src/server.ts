/**
 * The composition root: wires repositories and services with their explicit deps, mounts the
 * routes of every module (API role) and starts the modules' jobs for this process's roles —
 * `api`, `ingest`, `scheduler`, all three by default. Jobs marked `once` (deadlines, 督办,
 * rollups, retention, vitals history) run only while this process holds the scheduler lease.
 * `onegrid serve` and the HTTP tests both build the server here.
 */

import os from 'node:os';
import path from 'node:path';
import { minAuditRetentionDays } from '@onegrid/domain';
import { adminRoutes } from './admin/admin.routes.ts';
import { createAssessment } from './assessment/assessment.module.ts';
import { attachmentRoutes } from './attachments/attachment.routes.ts';
import { attachmentService } from './attachments/attachment.service.ts';
import { startAuditRetention } from './audit/audit.retention.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { registerAuditContext } from './audit/audit.ts';
import { authRepository } from './auth/auth.repository.ts';
import { authRoutes, UserSchema } from './auth/auth.routes.ts';
import { authService } from './auth/auth.service.ts';
import { loginThrottle } from './auth/login-throttle.ts';
import { oidcRoutes, oidcService } from './auth/oidc.ts';
import { type Cameras, createCameras } from './cameras/cameras.module.ts';
import { type Cases, createCases } from './cases/cases.module.ts';
import { categoriesRepository } from './categories/categories.repository.ts';
import { categoriesRoutes } from './categories/categories.routes.ts';
import { categoriesService } from './categories/categories.service.ts';
import { commandRoutes } from './command/command.routes.ts';
import type { Config } from './config.ts';
import { createDbAvailability } from './db/availability.ts';
import type { Db } from './db/db.ts';
import { createDeliveriesModule } from './deliveries/deliveries.module.ts';
import type { Deliveries, DeliveryOptions } from './deliveries/deliveries.service.ts';
import type { Webhooks } from './deliveries/webhooks.service.ts';
import { dutyRoutes } from './duty/duty.routes.ts';
import { dutyService } from './duty/duty.service.ts';
import { createEmergency, type Emergency } from './emergency/emergency.module.ts';
import { createEvents } from './events/events.module.ts';
import type { EventBus } from './events/outbox.ts';
import { createFederation } from './federation/federation.module.ts';
import { createGeo } from './geo/geo.module.ts';
import type { GeoService } from './geo/geo.service.ts';
import { hotlineRoutes } from './hotline/hotline.routes.ts';
import { hotlineService } from './hotline/hotline.service.ts';
import { type App, createApp } from './http/app.ts';
import { ErrorBody } from './http/schemas.ts';
import { defaultRateLimits, type RateLimits } from './http/security.ts';
import type { AlarmCases } from './iot/alarm-cases.ts';
import type { IngestOptions, IngestRole } from './iot/ingest.role.ts';
import { createIotModule } from './iot/iot.module.ts';
import { createIot, type Iot, type IotConfig } from './iot/iot.ts';
import { jointRoutes, jointService } from './joint/joint.ts';
import type { Logger } from './logger.ts';
import { createNotify, defaultNotifyConfig, type Notify } from './notify/notify.module.ts';
import { open311Routes } from './open311/open311.routes.ts';
import { open311Service } from './open311/open311.service.ts';
import { patrolRoutes } from './patrol/patrol.routes.ts';
import { patrolService } from './patrol/patrol.service.ts';
import { defaultPublicLimits, publicRoutes } from './public/public.routes.ts';
import { publicService } from './public/public.service.ts';
import { type LeaseState, startLeader } from './roles/lease.ts';
import { allRoles, instanceId, type Job, job, type Module, periodic, type Role } from './roles/roles.ts';
import { serviceAccountRoutes } from './service-accounts/service-accounts.routes.ts';
import { type ServiceAccounts, serviceAccountsService } from './service-accounts/service-accounts.service.ts';
import { shareRoutes } from './sharing/share.routes.ts';
import { shareService } from './sharing/share.service.ts';
import { healthRoutes } from './system/health.routes.ts';
import { metricsRoutes } from './system/metrics.routes.ts';
import { createMetrics } from './system/metrics.ts';
import { createReadiness, type Readiness } from './system/readiness.ts';
import { createVitals, type Vitals } from './vitals/vitals.module.ts';

export interface ServerDeps {
  db: Db;
  log: Logger;
  config: Pick<Config, 'sessionHours' | 'webDir'> &
    Partial<Pick<Config, 'sessionIdleMinutes' | 'loginLockoutAfter' | 'totpRequired' | 'oidc'>> &
    Partial<Pick<Config, 'attachmentsDir' | 'maxUploadBytes'>> &
    Partial<IotConfig> &
    Partial<
      Pick<
        Config,
        'vitalsTickSeconds' | 'vitalsHistoryMinutes' | 'auditRetentionDays' | 'schedulerLeaseSeconds'
      >
    > &
    Partial<
      Pick<
        Config,
        | 'healthTimeoutMs'
        | 'metricsToken'
        | 'outboxRetentionDays'
        | 'mapSources'
        | 'ingestStallSeconds'
        | 'basemap'
      >
    > &
    Partial<Pick<Config, 'notify'>> &
    Partial<Pick<Config, 'federation'>> & {
      rateLimits?: Partial<RateLimits>;
      /** Seconds a changed row waits before the share feed reads it (default 15; tests 0). */
      shareSettleSeconds?: number;
      /** Retry schedule and polling of outbound deliveries (tests make them fast). */
      deliveries?: Partial<DeliveryOptions>;
    };
  clock?: () => Date;
  /** The roles this process plays (default all three). */
  roles?: Iterable<Role>;
  /** How the `ingest` role reaches devices; without it no broker is started (tests start their own). */
  ingest?: IngestOptions;
  /** This process in the scheduler election (default host-pid-random) and its timings (tests). */
  scheduler?: { holder?: string; leaseTtlMs?: number; deadlineSweepMs?: number; notifyIntervalMs?: number };
}

export interface Server {
  app: App;
  roles: ReadonlySet<Role>;
  /** Devices, readings, rules, alarms: shared with the ingest role. */
  iot: Iot;
  /** Locate and its index: call `geo.refresh()` after writing areas or grids in this process. */
  geo: GeoService;
  /** The closed loop: case service, loop settings, deadline sweep. */
  cases: Cases;
  /** Machines' accounts: issue, tokens, authenticate (service-accounts/access.ts for routes). */
  serviceAccounts: ServiceAccounts;
  /** Outbound deliveries: `register(kind, sender)`, `deliver(tx, …)`, `nudge()` (docs/sharing.md). */
  deliveries: Deliveries;
  webhooks: Webhooks;
  /** Committed events (outbox), as the SSE stream sees them. */
  bus: EventBus;
  /** Alarm → case: files cases for alarms, closes them when the device recovers. */
  alarmCases: Pick<AlarmCases, 'reconcile'>;
  /** City vital signs: live values in memory, history, indicator definitions. */
  vitals: Vitals;
  /** 应急指挥: incidents and the plan-trigger sweep. */
  emergency: Emergency;
  /** What must work for this process to be ready; roles register their checks (`ingest`, …). */
  readiness: Readiness;
  /** AI cameras: registry, detections and the automatic loop. */
  cameras: Cameras;
  /** Notifications: the service (`tell`), its triggers and send queue. */
  notify: Notify;
  /** The ingest role's broker connection, when this process runs one. */
  ingest(): IngestRole | undefined;
  /** The scheduler lease as this process sees it (undefined without the `scheduler` role). */
  scheduler(): LeaseState | undefined;
  /** The jobs running in this process now (lease-bound ones included). */
  jobs(): string[];
  close(): Promise<void>;
}

export async function buildServer({
  db,
  log,
  config,
  clock = () => new Date(),
  roles: roleList = allRoles,
  ingest,
  scheduler,
}: ServerDeps): Promise<Server> {
  const roles: ReadonlySet<Role> = new Set(roleList);
  const users = authRepository(db);
  const auth = authService({
    users,
    db,
    throttle: loginThrottle(users),
    clock,
    sessionHours: config.sessionHours,
    sessionIdleMinutes: config.sessionIdleMinutes ?? 30,
    lockoutAfter: config.loginLockoutAfter ?? 10,
    // Closed by default: a caller that says nothing gets the second factor required.
    totpRequired: config.totpRequired ?? true,
  });
  const serviceAccounts = serviceAccountsService({ db, clock });
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
    serviceAccounts,
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
    sseClients: () => events.clients(),
    deliveries: () => deliveriesModule.deliveries.repository.open(),
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

  const geo = createGeo({ db, log, ...(config.basemap ? { basemap: config.basemap } : {}) });
  const events = createEvents({ db, log, clock, auth, retentionDays: config.outboxRetentionDays ?? 7 });
  const bus = events.bus;
  const iot = await createIot({ db, log, clock, config, onEventsCommitted: () => bus.nudge() });
  const attachments = attachmentService({
    db,
    dir: config.attachmentsDir ?? path.join(os.tmpdir(), `onegrid-attachments-${process.pid}`),
    maxBytes: config.maxUploadBytes ?? 10 * 1024 * 1024,
  });
  const cases = await createCases({
    db,
    log,
    clock,
    geo: geo.service,
    bus,
    ...(scheduler?.deadlineSweepMs ? { deadlineSweepMs: scheduler.deadlineSweepMs } : {}),
  });
  const iotModule = createIotModule({
    iot,
    db,
    log,
    clock,
    config,
    cases: cases.service,
    ...(ingest
      ? {
          ingest: {
            ...ingest,
            readiness,
            ...(config.ingestStallSeconds !== undefined && ingest.stallSeconds === undefined
              ? { stallSeconds: config.ingestStallSeconds }
              : {}),
          },
        }
      : {}),
  });
  const deliveriesModule = createDeliveriesModule({
    db,
    log,
    bus,
    ...(config.deliveries ? { options: config.deliveries } : {}),
  });
  const vitals = createVitals({
    db,
    log,
    clock,
    bus,
    options: {
      tickMs: (config.vitalsTickSeconds ?? 30) * 1000,
      historyEveryMs: (config.vitalsHistoryMinutes ?? 5) * 60_000,
    },
  });
  const emergency = createEmergency({
    db,
    log,
    clock,
    bus,
    // Vital-sign levels per area, for plans triggered by a vital sign.
    vitals: async () => {
      const s = await vitals.engine.current();
      return [...s.values].flatMap(([areaCode, byIndicator]) =>
        [...byIndicator].map(([indicator, v]) => ({ indicator, areaCode, level: v.level })),
      );
    },
  });

  const cameras = createCameras({
    db,
    log,
    clock,
    cases: cases.service,
    geo: geo.service,
    snapshots: attachments,
  });
  const federation = createFederation({
    db,
    log,
    clock,
    cases: cases.service,
    attachments,
    registry: metrics.registry,
    vitals: async (areaCode) => {
      const snap = await vitals.engine.current();
      const values = snap.values.get(areaCode);
      if (!values) return undefined;
      return { overall: snap.overall.get(areaCode) ?? null, values: Object.fromEntries(values) };
    },
    ...(config.federation ? { options: config.federation } : {}),
  });
  const hotline = hotlineService({ db, log, clock, cases: cases.service, geocode: geo.geocode });
  const notify = createNotify({
    db,
    log,
    clock,
    bus,
    config: { ...defaultNotifyConfig, ...config.notify },
    ...(scheduler?.notifyIntervalMs ? { intervalMs: scheduler.notifyIntervalMs } : {}),
  });

  // Route order is mount order: schemas a module adds are there for the modules after it.
  const modules: Module[] = [
    {
      name: 'auth',
      routes: async (a) => {
        await authRoutes(a, auth, limits.loginPerMinute);
        oidcRoutes(a, config.oidc ? oidcService({ db, auth, clock, config: config.oidc }) : undefined);
      },
      jobs: [
        job(
          'auth.cleanup',
          ['scheduler'],
          () =>
            periodic(() => auth.cleanUp(), {
              everyMs: 3_600_000,
              firstAfterMs: 60_000,
              onError: (e) => log.warn({ err: e, category: 'auth' }, 'session clean-up failed'),
            }),
          { once: true },
        ),
      ],
    },
    {
      name: 'service-accounts',
      routes: (a) => serviceAccountRoutes(a, serviceAccounts, limits.loginPerMinute),
      jobs: [
        job(
          'service-accounts.tokens',
          ['scheduler'],
          () => {
            const timer = setInterval(() => {
              serviceAccounts
                .cleanUp()
                .catch((e: unknown) => log.warn({ err: e }, 'removing expired service tokens failed'));
            }, 10 * 60_000);
            timer.unref();
            return { close: () => clearInterval(timer) };
          },
          { once: true },
        ),
      ],
    },
    {
      name: 'sharing',
      routes: (a) =>
        shareRoutes(
          a,
          shareService({ db, options: { settleSeconds: config.shareSettleSeconds ?? 15 } }),
          limits.sharePerMinute,
        ),
    },
    {
      name: 'categories',
      routes: (a) => categoriesRoutes(a, categoriesService({ categories: categoriesRepository(db), db })),
    },
    geo,
    events,
    iotModule,
    { name: 'attachments', routes: (a) => attachmentRoutes(a, attachments) },
    cases,
    {
      name: 'open311',
      routes: (a) =>
        open311Routes(
          a,
          open311Service({
            db,
            cases: cases.service,
            clock,
            serviceAccounts,
            geocode: async (text) => (await geo.geocode.batch([text]))[0] ?? null,
          }),
          limits.open311PostsPerMinute,
        ),
    },
    {
      name: 'public',
      routes: (a) =>
        publicRoutes(a, publicService({ db, cases: cases.service, attachments }), {
          ...defaultPublicLimits,
          reportsPerMinute: limits.publicReportsPerMinute,
        }),
    },
    createAssessment({ db, log, clock }),
    vitals,
    deliveriesModule,
    {
      name: 'admin',
      routes: (a) => adminRoutes(a, { db, auth, refreshGeo: () => geo.service.refresh({ force: true }) }),
    },
    { name: 'command', routes: (a) => commandRoutes(a, { db, clock }) },
    notify,
    cameras,
    federation,
    { name: 'hotline', routes: (a) => hotlineRoutes(a, hotline) },
    {
      name: 'patrol',
      routes: (a) =>
        patrolRoutes(
          a,
          patrolService({ db, clock, locate: (lng, lat) => geo.service.locateWgs84(lng, lat) }),
        ),
    },
    { name: 'duty', routes: (a) => dutyRoutes(a, dutyService({ db, clock })) },
    emergency,
    {
      name: 'joint',
      routes: (a) => jointRoutes(a, jointService({ db, clock, cases: cases.service })),
    },
    {
      name: 'audit',
      routes: (a) => auditRoutes(a, { db }),
      jobs: [
        // Pruning takes the chain head's lock, so even two at once would be safe; once is enough.
        job(
          'audit.retention',
          ['scheduler'],
          () =>
            startAuditRetention({
              db,
              days: config.auditRetentionDays ?? minAuditRetentionDays,
              onError: (e) => log.warn({ err: e, category: 'audit' }, 'audit retention failed'),
            }),
          { once: true },
        ),
      ],
    },
  ];
  // Every process answers health (and only health without the API role), so each can be probed.
  if (roles.has('api')) for (const m of modules) await m.routes?.(app);
  healthRoutes(app, {
    db,
    broker: () => iot.brokerState(),
    readiness,
    startedAt: new Date(),
    timeoutMs: healthTimeoutMs,
  });
  metricsRoutes(app, { metrics, token: config.metricsToken });
  await app.ready();

  const mine = modules.flatMap((m) => m.jobs ?? []).filter((j) => j.roles.some((r) => roles.has(r)));
  const started: Job[] = [];
  const stopJobs = async () => {
    for (const j of started.splice(0).reverse()) {
      await j.close().catch((e: unknown) => log.warn({ err: e, job: j.name }, 'closing a job failed'));
    }
  };
  const closeModules = async () => {
    for (const m of [...modules].reverse()) {
      await m
        .close?.()
        .catch((e: unknown) => log.warn({ err: e, module: m.name }, 'closing a module failed'));
    }
  };
  let leader: Awaited<ReturnType<typeof startLeader>> | undefined;
  try {
    for (const j of mine.filter((j) => !j.once)) {
      await j.start();
      started.push(j);
    }
    if (roles.has('scheduler')) {
      leader = await startLeader({
        db,
        log,
        name: 'scheduler',
        holder: scheduler?.holder ?? instanceId(),
        jobs: mine.filter((j) => j.once),
        ttlMs: scheduler?.leaseTtlMs ?? (config.schedulerLeaseSeconds ?? 30) * 1000,
      });
    }
  } catch (e) {
    await stopJobs();
    await app.close();
    await closeModules();
    throw e;
  }
  log.info({ roles: [...roles], jobs: started.map((j) => j.name) }, 'server started');

  return {
    app,
    roles,
    iot,
    geo: geo.service,
    cases,
    serviceAccounts,
    deliveries: deliveriesModule.deliveries,
    webhooks: deliveriesModule.webhooks,
    bus,
    alarmCases: iotModule.alarmCases,
    vitals,
    emergency,
    readiness,
    notify,
    cameras,
    ingest: iotModule.ingest,
    scheduler: () => leader?.state(),
    jobs: () => [...started.map((j) => j.name), ...(leader?.state().jobs ?? [])],
    async close() {
      await app.close();
      availability.close();
      await leader?.close();
      await stopJobs();
      await closeModules();
    },
  };
}
