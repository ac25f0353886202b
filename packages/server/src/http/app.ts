import crypto from 'node:crypto';
import fs from 'node:fs';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type Access, can, hasGrant, isServiceAccess, type Role } from '@onegrid/domain';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { AuthService, Principal, SessionInfo } from '../auth/auth.service.ts';
import { type DbAvailability, databaseFailure } from '../db/availability.ts';
import { AppError } from '../errors.ts';
import type { ServicePrincipal } from '../service-accounts/service-accounts.service.ts';
import { describeValidation, hardenRequestSchemas, isIdOutOfRange, refuseNul } from './input.ts';
import { securityHeaders } from './security.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
    /** The calling machine, when the bearer token is a service account's access token. */
    serviceAccount: ServicePrincipal | undefined;
    /** The caller's session (its hash, never the token). */
    session: SessionInfo | undefined;
  }
  interface FastifyContextConfig {
    /**
     * Who may call the route: `'public'` (no login: health, login, public reporting, Open311,
     * tiles), the capability a caller's role must hold, or `{ grant, or? }` for machines: a
     * service account holding the grant (and a user holding `or`, when given) (@onegrid/domain
     * policy.ts). A route that declares nothing refuses everyone.
     */
    access?: Access;
    /**
     * The event stream: EventSource cannot send a header, so the route takes a short-lived,
     * single-use `?ticket=` (POST /api/v1/stream/ticket) instead. Session tokens never go in URLs.
     */
    streamTicket?: boolean;
    /** Open to a session that must enrol a second factor before anything else. */
    duringEnrolment?: boolean;
  }
  interface FastifyInstance {
    /** Every route as registered, with its declared access (the authorisation sweep walks it). */
    routeTable: RouteEntry[];
  }
}

export interface RouteEntry {
  method: string;
  url: string;
  access: Access | undefined;
  hidden: boolean;
}

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface AppOptions {
  logger: FastifyBaseLogger;
  auth: AuthService;
  /** Service accounts' access tokens (`ogt_…`), when machines may call this server. */
  serviceAccounts?: { authenticate(token: string): Promise<ServicePrincipal | undefined> };
  /** Origins besides ours the web app loads basemap tiles from (Content Security Policy). */
  mapSources?: string[];
  /** Built web app to serve at `/`, when present. */
  webDir?: string;
  bodyLimit?: number;
  /** While the database is away, API requests answer 503 with Retry-After at once. */
  availability?: DbAvailability;
}

/** Routes that answer without the database (or report on it): never refused while it is away. */
function needsDatabase(route: string | undefined): boolean {
  if (!route) return false;
  if (route.startsWith('/api/v1/health')) return false;
  return route.startsWith('/api/') || route.startsWith('/open311/');
}

/** The caller, or 401. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('unauthenticated', 'Log in first');
  return request.principal;
}

/**
 * The caller if their role is one of `allowed`, else 403. Routes declare a capability instead
 * (`config.access`); this stays for checks finer than a route.
 */
export function requireRole(request: FastifyRequest, ...allowed: Role[]): Principal {
  const p = principalOf(request);
  if (!allowed.includes(p.role)) {
    throw new AppError('forbidden', `This needs one of the roles ${allowed.join(', ')}; you are ${p.role}`);
  }
  return p;
}

export async function createApp(options: AppOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    genReqId: () => crypto.randomUUID(),
    // SSE streams stay open; closing the server must not wait for them.
    forceCloseConnections: true,
    // A line per request is for debugging, not for the terminal of `npm start` (see below).
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Requests at debug level (LOG_LEVEL=debug shows them), through the same redacting serializers;
  // failures are logged where they are handled.
  app.addHook('onRequest', async (request) => {
    request.log.debug({ req: request }, 'incoming request');
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  });

  app.decorateRequest('principal', undefined);
  app.decorateRequest('serviceAccount', undefined);
  await securityHeaders(app, { mapSources: options.mapSources ?? [] });
  app.decorateRequest('session', undefined);
  const routeTable: RouteEntry[] = [];
  app.decorate('routeTable', routeTable);
  // Routes added by plugins that cannot take a route config (static files, the API docs) are
  // public; they are registered inside `publicRoutes`, everything else declares its own access.
  let defaultAccess: Access | undefined;
  app.addHook('onRoute', (route) => {
    route.schema = hardenRequestSchemas(route.schema);
    if (route.config?.access === undefined && defaultAccess !== undefined) {
      route.config = { ...route.config, access: defaultAccess };
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      routeTable.push({
        method,
        url: route.url,
        access: route.config?.access,
        hidden: Boolean((route.schema as { hide?: boolean } | undefined)?.hide),
      });
    }
  });
  const publicRoutes = async (register: () => PromiseLike<unknown>) => {
    defaultAccess = 'public';
    try {
      await register();
    } finally {
      defaultAccess = undefined;
    }
  };

  await app.register(fastifySwagger, {
    // Shared schemas appear in the document under their own $id (Error, User, Case …).
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'OneGrid API',
        version: '1',
        description:
          'OneGrid — an open city operations platform (一网统管). Bearer token from /api/v1/auth/login.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await publicRoutes(() => app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true }));

  const availability = options.availability;
  const unavailable = (retryAfter: number) =>
    new AppError('unavailable', 'The database is not answering; try again shortly', { retryAfter });
  if (availability) {
    app.addHook('onRequest', async (request, reply) => {
      if (availability.up || !needsDatabase(request.routeOptions.url)) return;
      reply.header('retry-after', String(availability.retryAfterSeconds));
      throw unavailable(availability.retryAfterSeconds);
    });
  }

  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const config = request.routeOptions.config;
    const ticket = (request.query as { ticket?: unknown } | undefined)?.ticket;
    let found: Awaited<ReturnType<AuthService['authenticate']>>;
    if (header?.startsWith('Bearer ')) {
      const token = header.slice(7).trim();
      const machine = options.serviceAccounts ? await options.serviceAccounts.authenticate(token) : undefined;
      if (machine) request.serviceAccount = machine;
      else found = await options.auth.authenticate(token);
    } else if (config?.streamTicket && typeof ticket === 'string') {
      found = await options.auth.redeemTicket(ticket);
      if (!found) throw new AppError('unauthenticated', 'This stream ticket is unknown, used or expired');
    }
    request.principal = found?.principal;
    request.session = found?.session;
    if (found?.session.enrolmentOnly && !config?.duringEnrolment && config?.access !== 'public') {
      throw new AppError(
        'second_factor_enrolment_required',
        'Enrol a second factor (an authenticator app) before using this account',
      );
    }
    authorise(request, Boolean(header));
  });

  app.addHook('preValidation', refuseNul);

  app.setErrorHandler((error, request, reply) => {
    const dbFailure = databaseFailure(error);
    if (dbFailure) {
      // Away or stalled (or one statement past its timeout): say so, never a 500 or a hang.
      availability?.observe(error);
      request.log.warn({ err: error, category: 'db' }, `database ${dbFailure}: answering 503`);
      const retryAfter = availability?.retryAfterSeconds ?? 2;
      return reply
        .status(503)
        .header('retry-after', String(retryAfter))
        .send({
          error: {
            code: 'unavailable',
            message: 'The database is not answering; try again shortly',
            details: { requestId: request.id, retryAfter },
          },
        });
    }
    if (error instanceof AppError) {
      const retryAfter = (error.details as { retryAfter?: unknown } | undefined)?.retryAfter;
      if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
      return reply.status(error.status).send({
        error: {
          code: error.code,
          message: error.message,
          ...(error.details !== undefined ? { details: error.details } : {}),
        },
      });
    }
    const e = error as {
      validation?: Parameters<typeof describeValidation>[0];
      validationContext?: string;
      statusCode?: number;
      code?: string;
      message: string;
    };
    if (e.validation) {
      const context = e.validationContext ?? 'request';
      if (isIdOutOfRange(e.validation, context)) {
        const field = e.validation[0]?.instancePath.slice(1) ?? 'id';
        const value = (request.params as Record<string, unknown>)[field];
        return reply.status(404).send({
          error: { code: 'not_found', message: `Nothing has ${field} ${String(value)}` },
        });
      }
      const schema = (request.routeOptions.schema as Record<string, unknown> | undefined)?.[context];
      return reply.status(400).send({
        error: {
          code: 'validation_failed',
          message: describeValidation(e.validation, context, schema),
          details: e.validation,
        },
      });
    }
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      const code =
        e.statusCode === 413
          ? 'payload_too_large'
          : e.statusCode === 415
            ? 'unsupported_media_type'
            : e.statusCode === 404
              ? 'not_found'
              : 'bad_request';
      return reply.status(e.statusCode).send({ error: { code, message: e.message } });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({
      error: {
        code: 'internal',
        message: 'Something went wrong on our side',
        details: { requestId: request.id },
      },
    });
  });

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || request.url.startsWith('/open311/') || !options.webDir) {
      return reply.status(404).send({
        error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` },
      });
    }
    // The web app routes on the client: every other path gets index.html.
    return reply.sendFile('index.html');
  });

  if (options.webDir && fs.existsSync(`${options.webDir}/index.html`)) {
    const root = options.webDir;
    await publicRoutes(() =>
      app.register(fastifyStatic, { root, prefix: '/', wildcard: false, index: 'index.html' }),
    );
  } else {
    options.webDir = undefined;
  }

  app.get('/api/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () =>
    app.swagger(),
  );

  return app;
}

/**
 * The gate on the route Fastify matched — never on the URL text, so `/api/%761/…` is the same
 * route as `/api/v1/…` and gets the same answer. Requests no route matched fall through to the
 * not-found handler (404, or the web app's index.html).
 */
function authorise(request: FastifyRequest, sentToken: boolean): void {
  if (request.routeOptions.url === undefined) return;
  const access = request.routeOptions.config?.access;
  if (access === 'public') return;
  if (access === undefined) {
    throw new AppError('forbidden', 'This route declares no access rule, so it is closed to everyone');
  }
  const machine = request.serviceAccount;
  if (machine) {
    if (!isServiceAccess(access)) {
      throw new AppError('forbidden', `A service account may not do this (it needs a user with ${access})`);
    }
    if (!hasGrant(machine.grants, access.grant)) {
      throw new AppError(
        'forbidden',
        `This service account may not do this (it needs the grant ${access.grant})`,
      );
    }
    return;
  }
  const p = request.principal;
  if (!p)
    throw new AppError(
      'unauthenticated',
      sentToken ? 'Your session has expired; log in again' : 'Log in first',
    );
  if (!can(p, access)) {
    const needs = isServiceAccess(access) ? `a service account with the grant ${access.grant}` : access;
    throw new AppError('forbidden', `Your role (${p.role}) may not do this (it needs ${needs})`);
  }
}
