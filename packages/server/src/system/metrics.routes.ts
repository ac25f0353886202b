import crypto from 'node:crypto';
import net from 'node:net';
import type { App } from '../http/app.ts';
import type { Metrics } from './metrics.ts';

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (net.isIPv4(a)) return a.startsWith('127.');
  return a === '::1';
}

function sameToken(given: string, expected: string): boolean {
  // Hash both so the comparison takes the same time whatever the lengths.
  const h = (s: string) => crypto.createHash('sha256').update(s).digest();
  return crypto.timingSafeEqual(h(given), h(expected));
}

/**
 * `GET /metrics`: Prometheus text format. Open to loopback (a Prometheus or an agent on the same
 * host); from anywhere else only with `Authorization: Bearer <ONEGRID_METRICS_TOKEN>`, and not at
 * all when no token is configured. The client address is the socket's (no proxy headers trusted).
 */
export function metricsRoutes(app: App, { metrics, token }: { metrics: Metrics; token: string | undefined }) {
  app.get(
    '/metrics',
    {
      // Not a session route: access is decided here (loopback or the metrics token).
      config: { access: 'public' },
      schema: { hide: true },
    },
    async (request, reply) => {
      if (!isLoopback(request.socket.remoteAddress ?? request.ip)) {
        const header = request.headers.authorization ?? '';
        const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
        if (!token || !given || !sameToken(given, token)) {
          return reply
            .status(token ? 401 : 403)
            .header('content-type', 'text/plain; charset=utf-8')
            .send(
              token
                ? 'metrics need Authorization: Bearer <ONEGRID_METRICS_TOKEN>\n'
                : 'metrics are served on loopback only (set ONEGRID_METRICS_TOKEN to allow others)\n',
            );
        }
      }
      const text = await metrics.registry.metrics();
      return reply.header('content-type', metrics.registry.contentType).send(text);
    },
  );
}
