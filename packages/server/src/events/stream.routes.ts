import { inScope } from '@onegrid/domain';
import { Type } from '@sinclair/typebox';
import type { AuthService } from '../auth/auth.service.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import type { EventBus } from './outbox.ts';

/**
 * `GET /api/v1/stream`: Server-Sent Events of case, alarm and vital-sign changes within the
 * caller's scope. EventSource cannot send headers and a session token must never travel in a URL
 * (it would reach proxy and server logs), so the stream takes a short-lived, single-use ticket:
 * `POST /api/v1/stream/ticket` with the bearer token, then `GET /api/v1/stream?ticket=…`.
 * A stream ends when its session ends: at logout or revocation in this process at once, and
 * within a keep-alive period when another process ended it.
 */
export function streamRoutes(
  app: App,
  bus: EventBus,
  auth: AuthService,
  keepAliveMs = 15_000,
): { clients(): number } {
  let clients = 0;
  const open = new Map<string, Set<() => void>>();
  auth.onSessionsEnded((hashes) => {
    for (const h of hashes) for (const end of open.get(h) ?? []) end();
  });

  app.post(
    '/api/v1/stream/ticket',
    {
      config: { access: 'cases:read' },
      schema: {
        tags: ['events'],
        summary: 'A single-use ticket (valid 60 s) to open the event stream with',
        response: {
          200: Type.Object({ ticket: Type.String(), expiresAt: Type.String() }),
          ...errors(401),
        },
      },
    },
    async (request) => {
      principalOf(request);
      const t = await auth.streamTicket(request.session!);
      return { ticket: t.ticket, expiresAt: t.expiresAt.toISOString() };
    },
  );

  app.get(
    '/api/v1/stream',
    {
      config: { access: 'cases:read', streamTicket: true },
      schema: {
        tags: ['events'],
        summary:
          'Server-Sent Events of changes in your area (case.*, alarm.*, vitals.*) and your own notify.*',
        querystring: Type.Object({
          ticket: Type.Optional(Type.String({ description: 'from POST /api/v1/stream/ticket' })),
          topics: Type.Optional(
            Type.String({ description: 'comma-separated topic prefixes, e.g. case,alarm' }),
          ),
        }),
      },
    },
    (request, reply) => {
      const p = principalOf(request);
      const sessionHash = request.session!.hash;
      const prefixes = request.query.topics?.split(',').filter(Boolean) ?? [];
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform, no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 2000\n: connected as ${p.username}\n\n`);
      const unsubscribe = bus.subscribe((e) => {
        if (e.areaCode !== null && !inScope(p.scopeCode, e.areaCode)) return;
        if (prefixes.length && !prefixes.some((t) => e.topic.startsWith(t))) return;
        // A person's notifications (the bell) are theirs alone.
        if (e.topic.startsWith('notify.') && e.payload.userId !== p.id) return;
        res.write(`id: ${e.id}\nevent: ${e.topic}\ndata: ${JSON.stringify(e.payload)}\n\n`);
      });
      const ends = open.get(sessionHash) ?? new Set();
      open.set(sessionHash, ends);
      const end = () => {
        // Tell the browser not to come back with this session, then close.
        res.end('event: session.ended\ndata: {}\n\n');
      };
      ends.add(end);
      clients++;
      const keepAlive = setInterval(() => {
        auth
          .sessionAlive(sessionHash)
          .then((alive) => (alive ? res.write(': keep-alive\n\n') : end()))
          .catch(() => res.write(': keep-alive\n\n'));
      }, keepAliveMs);
      res.on('close', () => {
        clients--;
        clearInterval(keepAlive);
        unsubscribe();
        ends.delete(end);
        if (!ends.size) open.delete(sessionHash);
      });
    },
  );
  return { clients: () => clients };
}
