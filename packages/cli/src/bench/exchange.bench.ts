/**
 * `onegrid bench exchange`: cases handed up per second between two instances (a street and its
 * district, each with its own database, linked by signed messages: docs/federation.md), beside a
 * bare signed HTTP POST — an Ed25519-signed body to a Fastify route that verifies it and answers
 * 200 — measured one request at a time as the exchange sends. `--cases N` (default 200) are
 * handed up while the link is off, then the link is switched on and the queue timed until the
 * upper instance has every case. Server mode with DATABASE_URL; embedded PGlite otherwise.
 */
import {
  buildServer,
  createLogger,
  federationRepository,
  keyIdOf,
  makeLoopCity,
  migrate,
  newKeyPair,
  type Server,
  sign,
  square,
  verify,
} from '@onegrid/server';
import Fastify from 'fastify';
import type { Benchmark } from './bench.ts';
import { openBenchDb, positiveInt } from './scratch-db.ts';

async function instance(label: string) {
  const bench = await openBenchDb(label);
  await migrate(bench.db);
  await makeLoopCity(bench.db);
  const server = await buildServer({
    db: bench.db,
    log: createLogger({ logLevel: 'warn', logPretty: false }),
    config: {
      sessionHours: 12,
      webDir: '/nonexistent',
      totpRequired: false,
      rateLimits: { loginPerMinute: 0 },
      federation: { retryMaxSeconds: 1, figuresSeconds: 86_400 },
    },
    scheduler: { leaseTtlMs: 3000 },
  });
  await server.geo.refresh({ force: true });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { bench, server, url: `http://127.0.0.1:${port}` };
}

async function until(fn: () => Promise<boolean>): Promise<void> {
  while (!(await fn())) await new Promise((r) => setTimeout(r, 20));
}

export const exchangeBenchmark: Benchmark = {
  name: 'exchange',
  description: 'cases handed up per second between two linked instances vs a bare Ed25519-signed HTTP POST',
  async run({ progress, options }) {
    const n = positiveInt(options.cases, 200, 'cases');
    const lower = await instance('fedlow');
    const upper = await instance('fedup');
    const servers: Server[] = [lower.server, upper.server];
    try {
      // Linked as two administrators would: each side's key given to the other.
      const lk = newKeyPair();
      const uk = newKeyPair();
      await federationRepository(lower.bench.db).insertLink({
        id: 'lnk_000000000001',
        name: '黄浦区平台',
        direction: 'up',
        peerUrl: upper.url,
        areaCode: '310101002',
        peerPublicKey: uk.publicKey,
        peerKeyId: uk.keyId,
        publicKey: lk.publicKey,
        keyId: lk.keyId,
        privateKey: lk.privateKey,
        serviceAccount: null,
      });
      await federationRepository(upper.bench.db).insertLink({
        id: 'lnk_000000000002',
        name: '南京东路街道平台',
        direction: 'down',
        peerUrl: lower.url,
        areaCode: '310101002',
        peerPublicKey: lk.publicKey,
        peerKeyId: lk.keyId,
        publicKey: uk.publicKey,
        keyId: uk.keyId,
        privateKey: uk.privateKey,
        serviceAccount: null,
      });
      // The district is away while the street hands up (its address answers nothing): the link
      // stays active and queues, as it does in an outage; then the district comes back.
      await lower.bench.db.query(
        "UPDATE federation_links SET peer_url = 'http://127.0.0.1:9' WHERE id = 'lnk_000000000001'",
      );

      progress(`handing up ${n} cases while the district is away`);
      // As the street's operator would, through the API.
      const login = await lower.server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'op', password: 'secret-pw' },
      });
      const authorization = `Bearer ${login.json().token}`;
      for (let i = 0; i < n; i++) {
        const made = await lower.server.app.inject({
          method: 'POST',
          url: '/api/v1/cases',
          headers: { authorization },
          payload: {
            category: '06010',
            description: `交换基准 ${i}`,
            location: { lng: square.lng + 0.0003, lat: square.lat + 0.0003 },
          },
        });
        const c = made.json() as { id: number; version: number };
        const up = await lower.server.app.inject({
          method: 'POST',
          url: `/api/v1/cases/${c.id}/hand-up`,
          headers: { authorization },
          payload: { version: c.version, target: 'higher-platform', reason: '基准' },
        });
        if (up.statusCode !== 200) throw new Error(`hand-up answered ${up.statusCode}: ${up.body}`);
      }
      const t0 = performance.now();
      await lower.bench.db.query(
        `UPDATE federation_links SET peer_url = $1, next_attempt_at = NULL WHERE id = 'lnk_000000000001'`,
        [upper.url],
      );
      await until(
        async () =>
          (
            await upper.bench.db.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM cases WHERE source = 'lower-platform'",
            )
          ).rows[0]!.n >= n,
      );
      const exchangeMs = performance.now() - t0;

      // Baseline: the same number of signed POSTs of a similar body to a route that verifies them.
      const bare = Fastify();
      bare.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_r, b, done) =>
        done(null, b),
      );
      bare.post('/m', async (req, reply) => {
        const ok = verify(lk.publicKey, req.body as Buffer, String(req.headers['x-sig']));
        return reply.status(ok ? 200 : 401).send({ ok });
      });
      await bare.listen({ port: 0, host: '127.0.0.1' });
      const addr = bare.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      const body = Buffer.from(
        (
          await lower.bench.db.query<{ envelope: string }>(
            'SELECT envelope FROM federation_outbox ORDER BY id LIMIT 1',
          )
        ).rows[0]!.envelope,
      );
      const t1 = performance.now();
      for (let i = 0; i < n; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/m`, {
          method: 'POST',
          headers: {
            'content-type': 'application/octet-stream',
            'x-sig': sign(lk.privateKey, body),
            'x-key': keyIdOf(lk.publicKey),
          },
          body,
        });
        if (res.status !== 200) throw new Error(`bare POST answered ${res.status}`);
        await res.arrayBuffer();
      }
      const bareMs = performance.now() - t1;
      await bare.close();
      return [
        {
          subject: 'bare signed POST',
          value: (n / bareMs) * 1000,
          unit: 'req/s',
          note: `${n} sequential Ed25519-signed POSTs, verified, ${body.length} B`,
        },
        {
          subject: 'hand-up via exchange',
          value: (n / exchangeMs) * 1000,
          unit: 'cases/s',
          baseline: 'bare signed POST',
          better: 'higher',
          note: `${n} queued hand-ups drained: signed, verified, case opened with timeline at the upper instance (${lower.bench.engine})`,
        },
      ];
    } finally {
      for (const s of servers) await s.close();
      await lower.bench.drop();
      await upper.bench.drop();
    }
  },
};
