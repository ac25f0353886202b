/**
 * Sign-in through an organisation's identity provider: OpenID Connect authorization code flow with
 * PKCE, by `openid-client`. The provider's user is matched to an existing OneGrid account by one
 * ID token claim (`preferred_username` unless configured); accounts are never created on the fly,
 * since the provider knows no OneGrid role or scope (docs/decisions.md).
 *
 *   GET  /api/v1/auth/oidc/start     → 302 to the provider (state, nonce, PKCE kept server-side)
 *   GET  /api/v1/auth/oidc/callback  → code exchanged, user found → 302 to `/#/oidc/<one-time code>`
 *   POST /api/v1/auth/oidc/exchange  → the one-time code (60 s, once) → `{ token, user, … }`
 *
 * The session token therefore only ever travels in a POST answer, never in a URL.
 */
import crypto from 'node:crypto';
import { Type } from '@sinclair/typebox';
import * as oidc from 'openid-client';
import type { OidcConfig } from '../config.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { type AuthService, hashToken } from './auth.service.ts';

const flowSeconds = 600;
const handoffSeconds = 60;
const loopback = new Set(['localhost', '127.0.0.1', '[::1]']);

export function oidcService(deps: { db: Db; auth: AuthService; clock: () => Date; config: OidcConfig }) {
  const { db, clock, config } = deps;
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    discovered ??= (async () => {
      const issuer = new URL(config.issuer);
      // Plain HTTP only to a provider on this machine (development, tests).
      const insecure = issuer.protocol === 'http:' && loopback.has(issuer.hostname);
      return oidc.discovery(
        issuer,
        config.clientId,
        undefined,
        // HTTP Basic is every provider's default for a confidential client; PKCE alone for a public one.
        config.clientSecret ? oidc.ClientSecretBasic(config.clientSecret) : oidc.None(),
        insecure ? { execute: [oidc.allowInsecureRequests] } : undefined,
      );
    })().catch((e: unknown) => {
      discovered = undefined;
      throw e;
    });
    return discovered;
  };
  const later = (s: number) => new Date(clock().getTime() + s * 1000);

  return {
    /** The provider's authorization URL for a new sign-in. */
    async start(): Promise<URL> {
      const c = await configuration();
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      await db.query('DELETE FROM oidc_flows WHERE expires_at <= $1', [clock()]);
      await db.query(
        'INSERT INTO oidc_flows (state, nonce, code_verifier, expires_at) VALUES ($1, $2, $3, $4)',
        [state, nonce, verifier, later(flowSeconds)],
      );
      return oidc.buildAuthorizationUrl(c, {
        redirect_uri: config.redirectUrl,
        scope: config.scope,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
    },

    /** Completes the provider's answer; returns a one-time hand-off code for the web app. */
    async callback(query: Record<string, string>): Promise<string> {
      const flow = query.state
        ? (
            await db.query<{ nonce: string; verifier: string; expiresAt: Date }>(
              `DELETE FROM oidc_flows WHERE state = $1
               RETURNING nonce, code_verifier AS verifier, expires_at AS "expiresAt"`,
              [query.state],
            )
          ).rows[0]
        : undefined;
      if (!flow || new Date(flow.expiresAt) <= clock()) {
        throw new AppError('unauthenticated', 'This sign-in is unknown or took too long; start again');
      }
      const c = await configuration();
      const current = new URL(config.redirectUrl);
      for (const [k, v] of Object.entries(query)) current.searchParams.set(k, v);
      let claims: Record<string, unknown> | undefined;
      try {
        const tokens = await oidc.authorizationCodeGrant(c, current, {
          pkceCodeVerifier: flow.verifier,
          expectedState: query.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims() as Record<string, unknown> | undefined;
        // Providers may keep profile claims out of the ID token (OIDC Core 5.4): ask userinfo.
        if (claims && claims[config.usernameClaim] === undefined && tokens.access_token) {
          claims = {
            ...claims,
            ...(await oidc.fetchUserInfo(c, tokens.access_token, String(claims.sub))),
          };
        }
      } catch (e) {
        throw new AppError(
          'unauthenticated',
          `The identity provider refused the sign-in: ${(e as Error).message}`,
        );
      }
      const name = claims?.[config.usernameClaim];
      if (typeof name !== 'string' || !name) {
        throw new AppError('unauthenticated', `The identity provider sent no ${config.usernameClaim}`);
      }
      const user = (
        await db.query<{ id: number }>('SELECT id::int AS id FROM users WHERE username = $1 AND active', [
          name.trim().toLowerCase(),
        ])
      ).rows[0];
      if (!user) {
        throw new AppError(
          'forbidden',
          `No active OneGrid account ${name}; a security administrator creates it first`,
        );
      }
      const code = crypto.randomBytes(32).toString('base64url');
      await db.query('INSERT INTO oidc_handoffs (code_hash, user_id, expires_at) VALUES ($1, $2, $3)', [
        hashToken(code),
        user.id,
        later(handoffSeconds),
      ]);
      return code;
    },

    /** Redeems a hand-off code (once) for a session. */
    async exchange(code: string, ip: string | undefined) {
      const r = await db.query<{ userId: number; expiresAt: Date }>(
        'DELETE FROM oidc_handoffs WHERE code_hash = $1 RETURNING user_id::int AS "userId", expires_at AS "expiresAt"',
        [hashToken(code)],
      );
      const h = r.rows[0];
      if (!h || new Date(h.expiresAt) <= clock()) {
        throw new AppError('unauthenticated', 'This sign-in code is unknown, used or expired');
      }
      return deps.auth.startExternalSession(h.userId, ip);
    },
  };
}
export type OidcService = ReturnType<typeof oidcService>;

export function oidcRoutes(app: App, service: OidcService | undefined) {
  app.get(
    '/api/v1/auth/methods',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'How one can sign in here: password, and the identity provider when configured',
        security: [],
        response: { 200: Type.Object({ password: Type.Boolean(), oidc: Type.Boolean() }) },
      },
    },
    async () => ({ password: true, oidc: service !== undefined }),
  );

  app.get(
    '/api/v1/auth/oidc/start',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: "Sign in through the organisation's identity provider (redirects there)",
        security: [],
        response: { 302: Type.Null(), ...errors(404) },
      },
    },
    async (_request, reply) => {
      if (!service) throw new AppError('not_found', 'No identity provider is configured');
      return reply.redirect((await service.start()).href, 302);
    },
  );

  app.get(
    '/api/v1/auth/oidc/callback',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: "Where the identity provider sends the browser back; redirects to the web app's hand-off",
        security: [],
        querystring: Type.Object({
          code: Type.Optional(Type.String({ maxLength: 2000 })),
          state: Type.Optional(Type.String({ maxLength: 200 })),
          iss: Type.Optional(Type.String({ maxLength: 500 })),
          error: Type.Optional(Type.String({ maxLength: 200 })),
          error_description: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        response: { 302: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      if (!service) throw new AppError('not_found', 'No identity provider is configured');
      const query = Object.fromEntries(
        Object.entries(request.query).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
      const code = await service.callback(query);
      // In the fragment: never sent to a server, so in no access log; single use, 60 s.
      return reply.header('cache-control', 'no-store').redirect(`/#/oidc/${code}`, 302);
    },
  );

  app.post(
    '/api/v1/auth/oidc/exchange',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Exchange the one-time hand-off code for a session',
        security: [],
        body: Type.Object(
          { code: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            token: Type.String(),
            expiresAt: Type.String(),
            user: Type.Ref('User'),
            secondFactorEnrolmentRequired: Type.Boolean(),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      if (!service) throw new AppError('not_found', 'No identity provider is configured');
      const r = await service.exchange(request.body.code, request.ip);
      return {
        token: r.token,
        expiresAt: r.expiresAt.toISOString(),
        user: r.user,
        secondFactorEnrolmentRequired: r.secondFactorEnrolmentRequired,
      };
    },
  );
}
