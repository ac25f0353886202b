/**
 * Enrolling and removing one's own TOTP second factor. An administrator whose role requires a
 * second factor gets a session that can do only this (and `me`, `logout`) until it is enrolled.
 */
import { Type } from '@sinclair/typebox';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import type { AuthService } from './auth.service.ts';

const Code = Type.String({ pattern: '^\\d{6}$', description: 'the 6-digit code the app shows' });

export function totpRoutes(app: App, auth: AuthService) {
  app.post(
    '/api/v1/auth/totp',
    {
      config: { access: 'session', duringEnrolment: true },
      schema: {
        tags: ['auth'],
        summary: 'Start enrolling an authenticator app: a new secret as an otpauth:// URL and a QR code',
        response: {
          200: Type.Object({
            secret: Type.String({ description: 'base32, for typing in by hand' }),
            otpauthUrl: Type.String(),
            qrSvg: Type.String({ description: 'the otpauth URL as an SVG QR code' }),
          }),
          ...errors(401, 409),
        },
      },
      // The answer carries a secret: never cached anywhere.
      onSend: async (_request, reply, payload) => {
        reply.header('cache-control', 'no-store');
        return payload;
      },
    },
    async (request) => auth.beginTotp(principalOf(request)),
  );

  app.post(
    '/api/v1/auth/totp/confirm',
    {
      config: { access: 'session', duringEnrolment: true },
      schema: {
        tags: ['auth'],
        summary: 'Confirm the enrolment with a current code; the second factor counts from now on',
        body: Type.Object({ code: Code }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errors(400, 401, 409) },
      },
    },
    async (request, reply) => {
      await auth.confirmTotp(principalOf(request), request.session!, request.body.code, request.ip);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/v1/auth/totp',
    {
      config: { access: 'session' },
      schema: {
        tags: ['auth'],
        summary: 'Remove your own second factor (with a current code)',
        body: Type.Object({ code: Code }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errors(400, 401) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      await auth.disableTotp(p.id, p, request.body.code, request.ip);
      return reply.status(204).send(null);
    },
  );
}
