/**
 * The token endpoint (`POST /api/v1/oauth/token`, RFC 6749 client credentials, errors in the
 * RFC's `{ error, error_description }`) and the security administrator's service-account routes.
 */
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { clearances } from '@onegrid/domain';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { perMinute, rateLimited } from '../http/security.ts';
import type { ServiceAccountRow } from './service-accounts.repository.ts';
import { OAuthError, type ServiceAccounts } from './service-accounts.service.ts';

const ServiceAccountSchema = Type.Object(
  {
    id: Type.Integer(),
    clientId: Type.String(),
    name: Type.String(),
    scope: Type.String({ description: 'area code: the account sees objects in this area only' }),
    grants: Type.Array(Type.String()),
    clearance: Type.Union(clearances.map((c) => Type.Literal(c))),
    createdAt: Type.String({ format: 'date-time' }),
    createdBy: Type.String(),
    rotatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    disabledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastTokenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'ServiceAccount' },
);

const Issued = Type.Intersect([
  Type.Ref('ServiceAccount'),
  Type.Object({
    clientSecret: Type.String({ description: 'shown this once: only its hash is kept' }),
  }),
]);

const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scope: Type.String({ pattern: '^\\d{4,12}$', description: 'area code (3101, a district, a street…)' }),
    grants: Type.Array(Type.String({ maxLength: 64 }), {
      minItems: 1,
      maxItems: 40,
      description: 'hotline, cameras, open311, federation, share:<dataset>',
    }),
    clearance: Type.Union(clearances.map((c) => Type.Literal(c))),
  },
  { additionalProperties: false },
);

const TokenBody = Type.Object({
  grant_type: Type.Optional(Type.String({ maxLength: 100 })),
  client_id: Type.Optional(Type.String({ maxLength: 200 })),
  client_secret: Type.Optional(Type.String({ maxLength: 200 })),
  scope: Type.Optional(Type.String({ maxLength: 2000 })),
});

const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String({ description: 'the grants this token carries, space-separated' }),
});

const OAuthErrorBody = Type.Object({ error: Type.String(), error_description: Type.String() });

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
export const serviceAccountJson = (a: ServiceAccountRow) => ({
  id: a.id,
  clientId: a.clientId,
  name: a.name,
  scope: a.scopeCode,
  grants: a.grants,
  clearance: a.clearance,
  createdAt: new Date(a.createdAt).toISOString(),
  createdBy: a.createdBy,
  rotatedAt: iso(a.rotatedAt),
  disabledAt: iso(a.disabledAt),
  lastTokenAt: iso(a.lastTokenAt),
});

/** `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1), or undefined. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | 'bad' | undefined {
  if (!header || !/^Basic /i.test(header)) return undefined;
  const text = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return 'bad';
  try {
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: decode(text.slice(0, colon)), secret: decode(text.slice(colon + 1)) };
  } catch {
    return 'bad';
  }
}

function oauthError(reply: FastifyReply, e: OAuthError, basic: boolean) {
  if (e.status === 401 && basic) reply.header('www-authenticate', 'Basic realm="onegrid", charset="UTF-8"');
  return reply
    .status(e.status)
    .header('cache-control', 'no-store')
    .header('pragma', 'no-cache')
    .send({ error: e.error, error_description: e.description });
}

export async function serviceAccountRoutes(app: App, accounts: ServiceAccounts, tokensPerMinute = 0) {
  app.addSchema(ServiceAccountSchema);

  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    await scope.register(formbody, { bodyLimit: 16 * 1024 });
    await rateLimited(scope);
    // Malformed requests get the RFC's `invalid_request`; anything else (429, 503) OneGrid's body.
    scope.setErrorHandler((error, _request, reply) => {
      const e = error as { validation?: unknown; statusCode?: number; message?: string };
      if (e.validation || e.statusCode === 400 || e.statusCode === 415) {
        return oauthError(reply, new OAuthError('invalid_request', e.message ?? 'Malformed request'), false);
      }
      throw error;
    });
    scope.post(
      '/api/v1/oauth/token',
      {
        config: { access: 'public', ...perMinute(tokensPerMinute) },
        schema: {
          tags: ['service-accounts'],
          summary:
            'OAuth 2 client credentials (RFC 6749 §4.4): form-encoded grant_type=client_credentials with client_id and client_secret in the body or HTTP Basic',
          consumes: ['application/x-www-form-urlencoded'],
          body: TokenBody,
          response: { 200: TokenResponse, 400: OAuthErrorBody, 401: OAuthErrorBody, ...errors(429) },
        },
      },
      async (request, reply) => {
        const body = request.body ?? {};
        const basic = basicCredentials(request.headers.authorization);
        const usedBasic = basic !== undefined;
        try {
          if (basic === 'bad') throw new OAuthError('invalid_client', 'Malformed Basic credentials');
          if (basic && (body.client_id !== undefined || body.client_secret !== undefined)) {
            throw new OAuthError('invalid_request', 'Send the client credentials once: Basic or the body');
          }
          if (body.grant_type === undefined) throw new OAuthError('invalid_request', 'grant_type is missing');
          if (body.grant_type !== 'client_credentials') {
            throw new OAuthError('unsupported_grant_type', 'Only grant_type=client_credentials is supported');
          }
          const clientId = basic ? basic.id : body.client_id;
          const clientSecret = basic ? basic.secret : body.client_secret;
          if (!clientId || !clientSecret) {
            throw new OAuthError('invalid_client', 'client_id and client_secret are required');
          }
          const t = await accounts.token({ clientId, clientSecret, scope: body.scope }, request.ip);
          return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send({
            access_token: t.accessToken,
            token_type: 'Bearer',
            expires_in: t.expiresIn,
            scope: t.scope,
          });
        } catch (e) {
          if (e instanceof OAuthError) return oauthError(reply, e, usedBasic);
          throw e;
        }
      },
    );
  });

  app.post(
    '/api/v1/service-accounts',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['service-accounts'],
        summary: 'Issue a service account (security administrators); the client secret is shown this once',
        body: CreateBody,
        response: { 201: Issued, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { account, clientSecret } = await accounts.issue(request.body, principalOf(request));
      return reply.status(201).send({ ...serviceAccountJson(account), clientSecret });
    },
  );

  app.get(
    '/api/v1/service-accounts',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['service-accounts'],
        summary: 'Service accounts in your scope, disabled ones included (security administrators)',
        response: { 200: Type.Array(Type.Ref('ServiceAccount')), ...errors(401, 403) },
      },
    },
    async (request) => (await accounts.list(principalOf(request))).map(serviceAccountJson),
  );

  const Params = Type.Object({ id: Type.Integer({ minimum: 1 }) });
  app.post(
    '/api/v1/service-accounts/:id/rotate',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['service-accounts'],
        summary: 'A new client secret (shown this once); the old secret and its tokens stop working',
        params: Params,
        response: { 200: Issued, ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { account, clientSecret } = await accounts.rotate(request.params.id, principalOf(request));
      return { ...serviceAccountJson(account), clientSecret };
    },
  );

  app.post(
    '/api/v1/service-accounts/:id/disable',
    {
      config: { access: 'users:manage' },
      schema: {
        tags: ['service-accounts'],
        summary: 'Disable a service account for good: its secret and tokens stop working at once',
        params: Params,
        response: { 200: Type.Ref('ServiceAccount'), ...errors(401, 403, 404) },
      },
    },
    async (request) => serviceAccountJson(await accounts.disable(request.params.id, principalOf(request))),
  );
}
