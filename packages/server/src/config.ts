import path from 'node:path';
import { type Basemap, basemapOrigins, parseBasemap } from './basemap/basemap.config.ts';

/**
 * Configuration is read once at boot from the environment, every problem is listed at once,
 * and the rest of the code gets a typed object. `.env.example` documents each variable.
 */
export interface Config {
  port: number;
  host: string;
  /** Server mode when set: a PostgreSQL 15+ with PostGIS 3. */
  databaseUrl: string | undefined;
  /** Embedded mode: where PGlite keeps its data and where attachments go. */
  dataDir: string;
  /** External MQTT broker (server mode); the embedded broker is used when unset. */
  mqttUrl: string | undefined;
  mqttPort: number;
  /** Server mode: the ingest workers' broker credentials (their dynamic-security client). */
  mqttUsername: string | undefined;
  mqttPassword: string | undefined;
  /**
   * Server mode: the broker's dynamic-security administrator. When set, OneGrid provisions each
   * device's credentials and topic ACL and the workers' client on the broker (docs/operations.md).
   */
  mqttAdminUsername: string | undefined;
  mqttAdminPassword: string | undefined;
  /** External broker: shared-subscription group of the ingest workers (one per deployment). */
  mqttShareGroup: string;
  /** Devices publish to `<prefix>/devices/<id>/telemetry`; a prefix per deployment shares a broker. */
  mqttTopicPrefix: string;
  /**
   * External broker: base of this process's MQTT client ids. Unset: host, pid and a random part,
   * unique per process. Set it (one value per process) for a worker whose restart should resume
   * its broker session.
   */
  mqttClientId: string | undefined;
  /** Seconds a scheduler holds its lease without renewing before another one takes over. */
  schedulerLeaseSeconds: number;
  /** Days of raw readings kept (whole daily partitions are dropped after that). */
  readingsRetentionDays: number;
  /** Days of 1-hour rollups kept; 1-minute rollups follow the raw retention. */
  rollupRetentionDays: number;
  /** Messages a second one device may send; the rest is dropped and counted. */
  ingestDeviceRate: number;
  logLevel: string;
  logPretty: boolean;
  /** Folder of public Shanghai data used by the demo seed and imports when present. */
  sharedDataDir: string;
  /** Absolute session limit (hours) and idle limit (minutes without a request). */
  sessionHours: number;
  sessionIdleMinutes: number;
  /** Consecutive failed logins after which an account locks until a security user unlocks it. */
  loginLockoutAfter: number;
  /** TOTP second factor required for admin, security and auditor accounts (demo accounts exempt). */
  totpRequired: boolean;
  /** Sign-in through an organisation's OpenID Connect provider, when configured. */
  oidc: OidcConfig | undefined;
  webDir: string;
  /** Where uploaded photos are kept (on disk in every mode). */
  attachmentsDir: string;
  maxUploadBytes: number;
  /** City vital signs: full recompute period (s) and history write period (min). */
  vitalsTickSeconds: number;
  vitalsHistoryMinutes: number;
  /** Days audit entries are kept (at least 180, MLPS level 3 / 网络安全法 §21). */
  auditRetentionDays: number;
  /** PostgreSQL pool size and timeouts (docs/operations.md "Timeouts and database outages"). */
  db: {
    max: number;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    idleInTransactionTimeoutMs: number;
  };
  /** How long a readiness check (the database's `SELECT 1`, …) may take before it counts as failing. */
  healthTimeoutMs: number;
  /** Bearer token for `GET /metrics` from anywhere but loopback; unset: loopback only. */
  metricsToken: string | undefined;
  /** Ingest counts as stalled after this many seconds without a message while devices are active. */
  ingestStallSeconds: number;
  /** Days outbox events are kept after they were written (delivered long before). */
  outboxRetentionDays: number;
  /** Federation (docs/federation.md): the longest wait between two tries of a failing link, and how often figures go up. */
  federation: { retryMaxSeconds: number; figuresSeconds: number };
  /** Requests per minute from one address on login, public reports and Open311 POST (0: no limit). */
  rateLimits: { loginPerMinute: number; publicReportsPerMinute: number; open311PostsPerMinute: number };
  /** Origins the web app may load basemap tiles and styles from (the Content Security Policy). */
  mapSources: string[];
  /** What is drawn under our layers (ONEGRID_BASEMAP; docs/basemap.md). */
  basemap: Basemap;
  /** Notifications: outside channels and escalation times (docs/channels.md). */
  notify: NotifyConfig;
}

export interface NotifyConfig {
  /** `smtp://user:pass@host:587` (or smtps://); e-mail is off without it. */
  smtpUrl: string | undefined;
  smtpFrom: string;
  /** A JSON SMS gateway: POST {to, text, sign} with the bearer token; SMS is off without it. */
  smsUrl: string | undefined;
  smsToken: string | undefined;
  /** Where people open OneGrid, for links in messages (e.g. https://onegrid.example.gov.cn). */
  publicUrl: string | undefined;
  /** A dispatched task not signed for (签收) within this many minutes goes to the department head. */
  signWithinMinutes: number;
  /** A red alarm not acknowledged within this many minutes goes to the next person on duty. */
  alarmAckMinutes: number;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  /** Where the provider sends the browser back: `<public URL>/api/v1/auth/oidc/callback`. */
  redirectUrl: string;
  /** The ID token claim that names the OneGrid user (default `preferred_username`). */
  usernameClaim: string;
  scope: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

const repoRoot = path.resolve(import.meta.dirname, '../../..');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min = 0, max = 65535): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = env[name];
    if (!raw) return undefined;
    try {
      const u = new URL(raw);
      if (!protocols.includes(u.protocol)) {
        problems.push(`${name} must use ${protocols.join(' or ')}, got "${u.protocol}"`);
      }
    } catch {
      problems.push(`${name} is not a valid URL: "${raw}"`);
    }
    return raw;
  };
  // MQTT names: no wildcards, no `$` start, no empty levels; a share group or client id has no `/`.
  const mqttName = (name: string, fallback: string, levels: boolean): string => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const ok = levels
      ? /^[^/#+$\s][^#+\s]*$/.test(raw) && !raw.endsWith('/') && !raw.includes('//')
      : /^[A-Za-z0-9_.:-]{1,64}$/.test(raw);
    if (!ok) {
      problems.push(
        levels
          ? `${name} must be a topic prefix without wildcards (+ #), spaces, a leading $ or / or empty levels; got "${raw}"`
          : `${name} must be 1-64 letters, digits, _ . : or -; got "${raw}"`,
      );
      return fallback;
    }
    return raw;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
    problems.push(`${name} must be 1/true/yes/on or 0/false/no/off, got "${raw}"`);
    return fallback;
  };
  const logLevel = env.LOG_LEVEL ?? 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`,
    );
  }
  const config: Config = {
    port: int('PORT', 8080),
    // Embedded (a laptop, a demo): loopback only. Server mode is meant to be reached: every interface.
    host: env.HOST ?? (env.DATABASE_URL ? '0.0.0.0' : '127.0.0.1'),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: path.resolve(env.ONEGRID_DATA_DIR ?? path.join(process.cwd(), '.onegrid')),
    mqttUrl: url('MQTT_URL', ['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:']),
    mqttPort: int('ONEGRID_MQTT_PORT', 1883),
    mqttUsername: env.ONEGRID_MQTT_USERNAME || undefined,
    mqttPassword: env.ONEGRID_MQTT_PASSWORD || undefined,
    mqttAdminUsername: env.ONEGRID_MQTT_ADMIN_USERNAME || undefined,
    mqttAdminPassword: env.ONEGRID_MQTT_ADMIN_PASSWORD || undefined,
    mqttShareGroup: mqttName('ONEGRID_MQTT_SHARE_GROUP', 'onegrid', false),
    mqttTopicPrefix: mqttName('ONEGRID_MQTT_TOPIC_PREFIX', 'onegrid', true),
    mqttClientId: env.ONEGRID_MQTT_CLIENT_ID ? mqttName('ONEGRID_MQTT_CLIENT_ID', '', false) : undefined,
    schedulerLeaseSeconds: int('ONEGRID_SCHEDULER_LEASE_SECONDS', 30, 3, 3600),
    readingsRetentionDays: int('ONEGRID_READINGS_RETENTION_DAYS', 90, 1, 36500),
    rollupRetentionDays: int('ONEGRID_ROLLUP_RETENTION_DAYS', 730, 1, 36500),
    ingestDeviceRate: int('ONEGRID_INGEST_DEVICE_RATE', 50, 1, 1_000_000),
    logLevel,
    logPretty: env.LOG_PRETTY ? env.LOG_PRETTY === '1' : Boolean(process.stdout.isTTY),
    sharedDataDir: path.resolve(env.ONEGRID_SHARED_DATA ?? path.join(repoRoot, '..', 'shared', 'data')),
    sessionHours: int('ONEGRID_SESSION_HOURS', 12, 1, 24 * 30),
    sessionIdleMinutes: int('ONEGRID_SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    loginLockoutAfter: int('ONEGRID_LOGIN_LOCKOUT_AFTER', 10, 3, 1000),
    totpRequired: bool('ONEGRID_TOTP_REQUIRED', true),
    oidc: undefined,
    webDir: path.resolve(env.ONEGRID_WEB_DIR ?? path.join(repoRoot, 'packages', 'web', 'dist')),
    attachmentsDir: '',
    maxUploadBytes: int('ONEGRID_MAX_UPLOAD_MB', 10, 1, 200) * 1024 * 1024,
    vitalsTickSeconds: int('ONEGRID_VITALS_TICK_SECONDS', 30, 1, 3600),
    vitalsHistoryMinutes: int('ONEGRID_VITALS_HISTORY_MINUTES', 5, 1, 1440),
    auditRetentionDays: int('ONEGRID_AUDIT_RETENTION_DAYS', 180, 180, 36500),
    db: {
      max: int('ONEGRID_DB_POOL_MAX', 10, 1, 1000),
      connectTimeoutMs: int('ONEGRID_DB_CONNECT_TIMEOUT_MS', 5000, 0, 3_600_000),
      statementTimeoutMs: int('ONEGRID_DB_STATEMENT_TIMEOUT_MS', 30_000, 0, 86_400_000),
      idleInTransactionTimeoutMs: int('ONEGRID_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 60_000, 0, 86_400_000),
    },
    healthTimeoutMs: int('ONEGRID_HEALTH_TIMEOUT_MS', 2000, 100, 60_000),
    metricsToken: env.ONEGRID_METRICS_TOKEN || undefined,
    ingestStallSeconds: int('ONEGRID_INGEST_STALL_SECONDS', 60, 1, 86_400),
    outboxRetentionDays: int('ONEGRID_OUTBOX_RETENTION_DAYS', 7, 1, 3650),
    federation: {
      retryMaxSeconds: int('ONEGRID_FEDERATION_RETRY_MAX_SECONDS', 60, 1, 3600),
      figuresSeconds: int('ONEGRID_FEDERATION_FIGURES_SECONDS', 300, 1, 86_400),
    },
    rateLimits: {
      loginPerMinute: int('ONEGRID_RATE_LIMIT_LOGIN', 30, 0, 1_000_000),
      publicReportsPerMinute: int('ONEGRID_RATE_LIMIT_PUBLIC_REPORTS', 10, 0, 1_000_000),
      open311PostsPerMinute: int('ONEGRID_RATE_LIMIT_OPEN311', 60, 0, 1_000_000),
    },
    mapSources: (env.ONEGRID_CSP_MAP_SOURCES ?? '').split(/[\s,]+/).filter(Boolean),
    basemap: { kind: 'none' },
    notify: {
      smtpUrl: env.ONEGRID_SMTP_URL || undefined,
      smtpFrom: env.ONEGRID_SMTP_FROM || 'OneGrid <onegrid@localhost>',
      smsUrl: env.ONEGRID_SMS_URL || undefined,
      smsToken: env.ONEGRID_SMS_TOKEN || undefined,
      publicUrl: env.ONEGRID_PUBLIC_URL || undefined,
      signWithinMinutes: int('ONEGRID_NOTIFY_SIGN_MINUTES', 60, 1, 100_000),
      alarmAckMinutes: int('ONEGRID_NOTIFY_ALARM_ACK_MINUTES', 10, 1, 100_000),
    },
  };
  if (config.notify.smtpUrl && !/^smtps?:\/\//.test(config.notify.smtpUrl))
    problems.push('ONEGRID_SMTP_URL takes smtp://user:pass@host:port or smtps://…');
  if (config.notify.smsUrl && !/^https?:\/\//.test(config.notify.smsUrl))
    problems.push('ONEGRID_SMS_URL takes an http(s) URL');
  const basemap = parseBasemap(env.ONEGRID_BASEMAP);
  if (basemap.ok) {
    config.basemap = basemap.basemap;
    config.mapSources = [...new Set([...config.mapSources, ...basemapOrigins(basemap.basemap)])];
  } else problems.push(basemap.problem);
  for (const origin of config.mapSources) {
    if (!/^https?:\/\/[^/\s'";]+$/.test(origin)) {
      problems.push(
        `ONEGRID_CSP_MAP_SOURCES takes origins such as https://t0.tianditu.gov.cn, got "${origin}"`,
      );
    }
  }
  if (config.metricsToken !== undefined && config.metricsToken.length < 16) {
    problems.push('ONEGRID_METRICS_TOKEN must be at least 16 characters');
  }
  for (const [user, pass] of [
    ['ONEGRID_MQTT_USERNAME', 'ONEGRID_MQTT_PASSWORD'],
    ['ONEGRID_MQTT_ADMIN_USERNAME', 'ONEGRID_MQTT_ADMIN_PASSWORD'],
  ] as const) {
    if (Boolean(env[user]) !== Boolean(env[pass]))
      problems.push(`${user} and ${pass} go together: set both or neither`);
    if (env[user] && !config.mqttUrl)
      problems.push(
        `${user} is for an external broker: set MQTT_URL too (the embedded broker checks device tokens itself)`,
      );
  }
  if (config.mqttAdminUsername && config.mqttAdminUsername === config.mqttUsername)
    problems.push('ONEGRID_MQTT_ADMIN_USERNAME and ONEGRID_MQTT_USERNAME must be different broker clients');
  const issuer = url('ONEGRID_OIDC_ISSUER', ['https:', 'http:']);
  if (issuer) {
    const clientId = env.ONEGRID_OIDC_CLIENT_ID;
    const redirectUrl = url('ONEGRID_OIDC_REDIRECT_URL', ['https:', 'http:']);
    if (!clientId) problems.push('ONEGRID_OIDC_CLIENT_ID is needed with ONEGRID_OIDC_ISSUER');
    if (!redirectUrl) problems.push('ONEGRID_OIDC_REDIRECT_URL is needed with ONEGRID_OIDC_ISSUER');
    config.oidc = {
      issuer,
      clientId: clientId ?? '',
      clientSecret: env.ONEGRID_OIDC_CLIENT_SECRET || undefined,
      redirectUrl: redirectUrl ?? '',
      usernameClaim: env.ONEGRID_OIDC_USERNAME_CLAIM || 'preferred_username',
      scope: env.ONEGRID_OIDC_SCOPE || 'openid profile',
    };
  }
  config.attachmentsDir = path.resolve(
    env.ONEGRID_ATTACHMENTS_DIR ?? path.join(config.dataDir, 'attachments'),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
