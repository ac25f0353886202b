import { inScope } from '@onegrid/domain';
import { Type } from '@sinclair/typebox';
import { type App, principalOf } from '../http/app.ts';
import type { EventBus } from './outbox.ts';

/**
 * `GET /api/v1/stream`: Server-Sent Events of case, alarm and vital-sign changes within the
 * caller's scope. EventSource cannot send headers, so the token may come as `access_token`.
 */
export function streamRoutes(app: App, bus: EventBus): { clients(): number } {
  let clients = 0;
  app.get(
    '/api/v1/stream',
    {
      config: { access: 'cases:read' },
      schema: {
        tags: ['events'],
        summary: 'Server-Sent Events of changes in your area (case.*, alarm.*, vitals.*)',
        querystring: Type.Object({
          access_token: Type.Optional(Type.String()),
          topics: Type.Optional(
            Type.String({ description: 'comma-separated topic prefixes, e.g. case,alarm' }),
          ),
        }),
      },
    },
    (request, reply) => {
      const p = principalOf(request);
      const prefixes = request.query.topics?.split(',').filter(Boolean) ?? [];
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 2000\n: connected as ${p.username}\n\n`);
      const unsubscribe = bus.subscribe((e) => {
        if (e.areaCode !== null && !inScope(p.scopeCode, e.areaCode)) return;
        if (prefixes.length && !prefixes.some((t) => e.topic.startsWith(t))) return;
        res.write(`id: ${e.id}\nevent: ${e.topic}\ndata: ${JSON.stringify(e.payload)}\n\n`);
      });
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      clients++;
      request.raw.on('close', () => {
        clients--;
        clearInterval(keepAlive);
        unsubscribe();
      });
    },
  );
  return { clients: () => clients };
}
