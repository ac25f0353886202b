import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { roles } from '@onegrid/domain';
import { Type } from '@sinclair/typebox';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { perMinute, rateLimited } from '../http/security.ts';
import type { AuthService } from './auth.service.ts';
import { totpRoutes } from './totp.routes.ts';

export const UserSchema = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    displayName: Type.String(),
    role: Type.Union(roles.map((r) => Type.Literal(r))),
    scopeCode: Type.String({ description: 'The area the user sees: city, district or street code' }),
    departmentCode: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'User' },
);

export async function authRoutes(app: App, auth: AuthService, loginPerMinute = 0) {
  // Login in a scope of its own: the per-address limit counts nothing else.
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    await rateLimited(scope);
    loginRoute(scope, auth, loginPerMinute);
  });

  app.get(
    '/api/v1/auth/me',
    {
      config: { access: 'session', duringEnrolment: true },
      schema: {
        tags: ['auth'],
        summary: 'The logged-in user',
        response: { 200: Type.Ref('User'), ...errors(401) },
      },
    },
    async (request) => principalOf(request),
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { access: 'session', duringEnrolment: true },
      schema: {
        tags: ['auth'],
        summary: "End this session (and this session's event streams)",
        response: { 204: Type.Null(), ...errors(401) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      await auth.logout(request.session!, p, request.ip);
      return reply.status(204).send(null);
    },
  );

  totpRoutes(app, auth);
}

function loginRoute(app: App, auth: AuthService, perMinuteFromOneAddress: number) {
  app.post(
    '/api/v1/auth/login',
    {
      config: { access: 'public', ...perMinute(perMinuteFromOneAddress) },
      schema: {
        tags: ['auth'],
        summary: 'Log in; returns a bearer token',
        description:
          'Failures are slowed down per account and per client address (429 with Retry-After); an ' +
          'account locks after repeated failures (403 account_locked, said only with the right ' +
          'password). An account with a second factor answers 401 second_factor_required until ' +
          '`code` carries the current TOTP code.',
        security: [],
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 64 }),
          password: Type.String({ minLength: 1, maxLength: 256 }),
          code: Type.Optional(Type.String({ maxLength: 12, description: 'TOTP code (6 digits)' })),
        }),
        response: {
          200: Type.Object({
            token: Type.String(),
            expiresAt: Type.String(),
            user: Type.Ref('User'),
            secondFactorEnrolmentRequired: Type.Boolean({
              description:
                'The session can only enrol a second factor (POST /api/v1/auth/totp) until it does',
            }),
          }),
          ...errors(400, 401, 403, 429),
        },
      },
    },
    async (request) => {
      const b = request.body;
      const r = await auth.login(b.username, b.password, { code: b.code, ip: request.ip });
      return {
        token: r.token,
        expiresAt: r.expiresAt.toISOString(),
        user: r.user,
        secondFactorEnrolmentRequired: r.secondFactorEnrolmentRequired,
      };
    },
  );
}
