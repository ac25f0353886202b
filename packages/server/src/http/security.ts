/**
 * Response headers every answer carries (helmet), `no-store` on API answers, and the per-address
 * rate limits on the routes anyone can call (login, public reporting, Open311 POST).
 */
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';

export interface SecurityHeadersOptions {
  /**
   * Origins the web app may load map tiles and styles from besides its own (a basemap such as
   * 天地图): added to `img-src` and `connect-src`.
   */
  mapSources?: readonly string[];
}

/**
 * The Content Security Policy fits what the built web app does: scripts, styles and fonts from
 * our origin (scripts may eval: Ajv's compiled form checks); MapLibre's worker from a `blob:` URL; tiles fetched from our origin (plus any
 * basemap origin configured); images from data: and blob: URLs (map sprites, photo previews).
 * React and MapLibre set styles through the CSSOM, which CSP does not block; the few inline
 * `style` attributes in MapLibre's controls need 'unsafe-inline' for styles (never for scripts).
 * No `upgrade-insecure-requests`: the embedded mode serves plain HTTP on a LAN address.
 */
export async function securityHeaders(app: FastifyInstance, options: SecurityHeadersOptions = {}) {
  const extra = [...(options.mapSources ?? [])];
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // 'unsafe-eval' for Ajv: the web app checks forms with the server's own JSON schemas and
        // Ajv compiles them with new Function(). No inline script runs ('unsafe-inline' stays out);
        // precompiling the validators (Ajv standalone) in gen:api would let this go.
        scriptSrc: ["'self'", "'unsafe-eval'"],
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'", ...extra],
        imgSrc: ["'self'", 'data:', 'blob:', ...extra],
        styleSrc: ["'self'", "'unsafe-inline'"],
        fontSrc: ["'self'", 'data:'],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    // The API is called by other platforms' servers and by Open311 apps, not embedded: the
    // default same-origin resource policy stays, cross-origin embedding of our pages does not.
    crossOriginEmbedderPolicy: false,
  });

  // Answers of the API carry personal data (names, phones, places): no cache keeps them. A route
  // that decides otherwise sets its own Cache-Control (public catalogue, tiles, photos).
  app.addHook('onSend', async (request, reply, payload) => {
    const url = request.routeOptions.url;
    if (url?.startsWith('/api/') && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
    return payload;
  });
}

/** Requests one client address may make per minute on each of the open doors; 0 turns one off. */
export interface RateLimits {
  loginPerMinute: number;
  publicReportsPerMinute: number;
  open311PostsPerMinute: number;
  /** Reads of /api/v1/share per service account (keyed by client id, not address). */
  sharePerMinute: number;
}

export const defaultRateLimits: RateLimits = {
  loginPerMinute: 30,
  publicReportsPerMinute: 10,
  open311PostsPerMinute: 60,
  sharePerMinute: 120,
};

/**
 * Registers @fastify/rate-limit in an encapsulated scope (no route outside it is counted), with
 * OneGrid's 429 body and a Retry-After header. Routes in the scope opt in with `config.rateLimit`.
 */
export async function rateLimited(scope: FastifyInstance, max = 60): Promise<void> {
  await scope.register(rateLimit, {
    global: false,
    timeWindow: 60_000,
    max,
    errorResponseBuilder: (_request, context) =>
      new AppError('rate_limited', `Too many requests; try again in ${Math.ceil(context.ttl / 1000)} s`, {
        retryAfterSeconds: Math.ceil(context.ttl / 1000),
      }),
  });
}

/** A route's `config.rateLimit`: at most `perMinute` a minute from one address, or none when 0. */
export const perMinute = (n: number) => (n > 0 ? { rateLimit: { max: n, timeWindow: 60_000 } } : {});
