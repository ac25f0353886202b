import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { roles } from '@onegrid/domain';
import { Type } from '@sinclair/typebox';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { perMinute, rateLimited } from '../http/security.ts';
import type { AuthService } from './auth.service.ts';

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
      config: { access: 'session' },
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
      config: { access: 'session' },
      schema: { tags: ['auth'], summary: 'End this session', response: { 204: Type.Null(), ...errors(401) } },
    },
    async (request, reply) => {
      const token = request.headers.authorization?.slice(7).trim();
      if (token) await auth.logout(token);
      return reply.status(204).send(null);
    },
  );
}

function loginRoute(app: App, auth: AuthService, perMinuteFromOneAddress: number) {
  app.post(
    '/api/v1/auth/login',
    {
      config: { access: 'public', ...perMinute(perMinuteFromOneAddress) },
      schema: {
        tags: ['auth'],
        summary: 'Log in; returns a bearer token',
        security: [],
        body: Type.Object({
          username: Type.String({ minLength: 1, maxLength: 64 }),
          password: Type.String({ minLength: 1, maxLength: 256 }),
        }),
        response: {
          200: Type.Object({ token: Type.String(), expiresAt: Type.String(), user: Type.Ref('User') }),
          ...errors(400, 401, 429),
        },
      },
    },
    async (request) => {
      const r = await auth.login(request.body.username, request.body.password);
      return { token: r.token, expiresAt: r.expiresAt.toISOString(), user: r.user };
    },
  );
}
