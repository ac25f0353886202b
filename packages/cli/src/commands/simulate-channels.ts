/**
 * `onegrid simulate cameras` (and, with the hotline connector, `onegrid simulate hotline`):
 * drive a running OneGrid through its machine channels as the outside systems would — a service
 * account (created through the API by a security user), OAuth 2 client credentials, then the
 * channel's own endpoints.
 *
 *   onegrid simulate cameras --cameras 12 --rate 2 --duration 120
 */
import { cameraDetectionTypes, cameraTypeRules } from '@onegrid/domain';
import { loadConfig, snapshotPng } from '@onegrid/server';
import type { Command } from 'commander';
import { seeded } from '../simulate/kinds.ts';

export interface Machine {
  call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

/** A service account with `grants`, made by the security user, and a client that keeps its token fresh. */
export async function machineClient(
  base: string,
  security: { user: string; password: string },
  name: string,
  grants: string[],
  scope: string,
): Promise<Machine> {
  const j = async <T>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    form?: URLSearchParams,
  ) => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: {
          'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(form ? { body: form.toString() } : body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new Error(
        `cannot reach the OneGrid API at ${base}; is \`onegrid serve\` running? (--api sets the address)`,
      );
    }
    return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
  };
  const login = await j<{ token?: string; error?: { message: string } }>('POST', '/api/v1/auth/login', {
    username: security.user,
    password: security.password,
  });
  if (!login.body.token)
    throw new Error(`login as ${security.user} failed: ${login.body.error?.message ?? login.status}`);
  const sa = await j<{ clientId?: string; clientSecret?: string; error?: { message: string } }>(
    'POST',
    '/api/v1/service-accounts',
    { name, scope, grants, clearance: 'internal' },
    login.body.token,
  );
  if (!sa.body.clientId)
    throw new Error(`could not create the service account: ${sa.body.error?.message ?? sa.status}`);
  let token = '';
  let until = 0;
  const fresh = async () => {
    if (Date.now() < until) return token;
    const r = await j<{ access_token?: string; expires_in?: number }>(
      'POST',
      '/api/v1/oauth/token',
      undefined,
      undefined,
      new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: sa.body.clientId!,
        client_secret: sa.body.clientSecret!,
      }),
    );
    if (!r.body.access_token) throw new Error(`no access token for ${name} (HTTP ${r.status})`);
    token = r.body.access_token;
    until = Date.now() + ((r.body.expires_in ?? 900) - 60) * 1000;
    return token;
  };
  return {
    async call<T>(method: string, path: string, body?: unknown) {
      return j<T>(method, path, body, await fresh());
    },
  };
}

const num = (name: string, raw: string) => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got "${raw}"`);
  return n;
};

/** What callers ring 12345 about: text the category guess recognises, and the category itself. */
const hotlineTopics = [
  { text: '反映路边有暴露垃圾，无人清理，气味很大', category: '06010' },
  { text: '小区门口占道经营，摊贩占用人行道', category: '09006' },
  { text: '机动车乱停放堵住了消防通道', category: '09009' },
  { text: '楼下乱堆杂物好几天了', category: '06036' },
  { text: '有人焚烧垃圾、树叶，烟很大', category: '06020' },
  { text: '施工占道没有围挡，行人很危险', category: '08002' },
] as const;
const surnames = ['张', '王', '李', '赵', '陈', '刘', '杨', '黄', '周', '吴'];

/** Where the API is, and the security user who issues the simulator's service account. */
const asServiceAccount = (c: Command) =>
  c
    .option('--api <url>', 'OneGrid API (default http://localhost:$PORT)')
    .option('--security <name>', 'security user who creates the service account', 'security')
    .option(
      '--password <pw>',
      'their password (default: the demo password)',
      process.env.ONEGRID_SECURITY_PASSWORD ?? 'onegrid-demo',
    );

export function registerChannelSimulations(simulate: Command) {
  asServiceAccount(simulate.command('hotline'))
    .description(
      'send realistic 12345 work orders (with repeats of the same problem and retried deliveries), then 回访 for finished ones',
    )
    .option('--orders <n>', 'number of work orders', '200')
    .option('--rate <r>', 'orders per second', '5')
    .option('--duplicates <f>', 'share of orders about a problem already reported', '0.15')
    .option('--retries <f>', 'share of orders delivered twice (the hotline retrying)', '0.05')
    .option('--scope <code>', 'area of the orders', '310101')
    .option(
      '--prefix <p>',
      'order number prefix',
      `GD${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`,
    )
    .option('--seed <n>', 'random seed, to repeat a run')
    .action(async (o: Record<string, string>) => {
      const config = loadConfig();
      const base = o.api ?? `http://localhost:${config.port}`;
      const n = Math.max(1, Math.round(num('orders', o.orders!)));
      const rate = num('rate', o.rate!);
      const dupShare = num('duplicates', o.duplicates!);
      const retryShare = num('retries', o.retries!);
      const random = o.seed ? seeded(Number(o.seed)) : Math.random;
      const m = await machineClient(
        base,
        { user: o.security!, password: o.password! },
        `12345 热线模拟 ${Date.now()}`,
        ['hotline'],
        o.scope!,
      );
      const sent: { orderNo: string; topic: (typeof hotlineTopics)[number]; lng: number; lat: number }[] = [];
      const counts: Record<string, number> = {};
      const started = Date.now();
      for (let i = 0; i < n; i++) {
        const again =
          sent.length > 0 && random() < dupShare ? sent[Math.floor(random() * sent.length)]! : undefined;
        const topic = again?.topic ?? hotlineTopics[Math.floor(random() * hotlineTopics.length)]!;
        const lng = again ? again.lng + (random() - 0.5) * 0.0002 : 121.468 + random() * 0.012;
        const lat = again ? again.lat + (random() - 0.5) * 0.0002 : 31.226 + random() * 0.01;
        const orderNo = `${o.prefix}-${String(i + 1).padStart(5, '0')}`;
        const phone = `1${3 + Math.floor(random() * 6)}${String(Math.floor(random() * 1e9)).padStart(9, '0')}`;
        const body = {
          orderNo,
          receivedAt: new Date().toISOString(),
          content: `市民来电${topic.text}`,
          location: { lng, lat },
          caller: { name: `${surnames[Math.floor(random() * surnames.length)]}先生`, phone },
          ...(random() < 0.7 ? { category: topic.category } : {}),
          urgency: topic.category === '06020' ? 'urgent' : 'normal',
          dueAt: new Date(Date.now() + (3 + Math.floor(random() * 5)) * 86_400_000).toISOString(),
        };
        const deliveries = random() < retryShare ? 2 : 1;
        for (let k = 0; k < deliveries; k++) {
          const r = await m.call<{ joined?: boolean; error?: { message: string } }>(
            'POST',
            '/api/v1/hotline/orders',
            body,
          );
          const what =
            r.status === 201
              ? r.body.joined
                ? 'joined'
                : 'filed'
              : r.status === 200
                ? 'replayed'
                : `error ${r.status}`;
          counts[what] = (counts[what] ?? 0) + 1;
        }
        sent.push({ orderNo, topic, lng, lat });
        if (rate > 0) await new Promise((res) => setTimeout(res, 1000 / rate));
      }
      // 回访 for the orders finished meanwhile (run again later to visit more).
      let visited = 0;
      for (const s of sent) {
        const g = await m.call<{ status?: string; visitResult?: string | null }>(
          'GET',
          `/api/v1/hotline/orders/${s.orderNo}`,
        );
        if (g.body.status !== 'finished' || g.body.visitResult) continue;
        const roll = random();
        await m.call('POST', `/api/v1/hotline/orders/${s.orderNo}/visit`, {
          result: roll < 0.75 ? 'satisfied' : roll < 0.9 ? 'basically' : 'unsatisfied',
        });
        visited++;
      }
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `sent ${n} orders in ${secs} s: ${Object.entries(counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}; ${visited} 回访`,
      );
      if (Object.keys(counts).some((k) => k.startsWith('error'))) process.exitCode = 1;
    });

  asServiceAccount(simulate.command('cameras'))
    .description(
      'register AI cameras and send detections with generated snapshots (opens, joins and clears cases)',
    )
    .option('--cameras <n>', 'number of cameras', '12')
    .option('--rate <r>', 'detections per second, all cameras together', '1')
    .option('--duration <s>', 'seconds to run; 0 runs until Ctrl-C', '60')
    .option('--scope <code>', 'area the cameras are in (and the account may use)', '310101')
    .option('--seed <n>', 'random seed, to repeat a run')
    .action(async (o: Record<string, string>) => {
      const config = loadConfig();
      const base = o.api ?? `http://localhost:${config.port}`;
      const n = Math.max(1, Math.round(num('cameras', o.cameras!)));
      const rate = num('rate', o.rate!);
      const duration = num('duration', o.duration!);
      const random = o.seed ? seeded(Number(o.seed)) : Math.random;
      const m = await machineClient(
        base,
        { user: o.security!, password: o.password! },
        `模拟视频平台 ${Date.now()}`,
        ['cameras'],
        o.scope!,
      );
      const cams: { id: string; type: (typeof cameraDetectionTypes)[number]; seen: boolean }[] = [];
      for (let i = 0; i < n; i++) {
        const id = `simcam-${String(i + 1).padStart(3, '0')}`;
        // Around People's Square, where the demo district has its grids.
        const r = await m.call<{ error?: { message: string } }>('POST', '/api/v1/cameras', {
          id,
          name: `模拟球机 ${String(i + 1).padStart(2, '0')} 号`,
          location: { lng: 121.468 + random() * 0.012, lat: 31.226 + random() * 0.01 },
          heading: Math.floor(random() * 360),
        });
        if (r.status !== 200)
          throw new Error(`registering ${id} failed: ${r.body.error?.message ?? r.status}`);
        cams.push({ id, type: cameraDetectionTypes[i % cameraDetectionTypes.length]!, seen: false });
      }
      process.stderr.write(`registered ${n} cameras; sending detections …\n`);
      const counts: Record<string, number> = {};
      const started = Date.now();
      const stop = new Promise<void>((resolve) => {
        if (duration > 0) setTimeout(resolve, duration * 1000);
        process.once('SIGINT', () => resolve());
      });
      let done = false;
      void stop.then(() => {
        done = true;
      });
      while (!done) {
        const cam = cams[Math.floor(random() * cams.length)]!;
        const rule = cameraTypeRules[cam.type];
        // Seen for a while, then gone: one clear in five once seen.
        const clear = cam.seen && random() < 0.2;
        const bbox: [number, number, number, number] = [
          0.2 + random() * 0.4,
          0.45 + random() * 0.2,
          0.15 + random() * 0.15,
          0.15 + random() * 0.15,
        ];
        const confidence = clear ? 0.9 : rule.minConfidence - 0.15 + random() * 0.5;
        const r = await m.call<{ outcome?: string; error?: { message: string } }>(
          'POST',
          `/api/v1/cameras/${cam.id}/detections`,
          {
            ts: new Date().toISOString(),
            type: cam.type,
            confidence: Math.min(1, confidence),
            bbox,
            clear,
            ...(clear
              ? {}
              : {
                  snapshot: snapshotPng(cam.type, bbox, 320, 180, Math.floor(random() * 100)).toString(
                    'base64',
                  ),
                }),
          },
        );
        const outcome = r.body.outcome ?? `error ${r.status}`;
        counts[outcome] = (counts[outcome] ?? 0) + 1;
        if (outcome === 'open' || outcome === 'join' || outcome === 'reopen') cam.seen = true;
        if (outcome === 'clear') cam.seen = false;
        if (rate > 0) await Promise.race([new Promise((res) => setTimeout(res, 1000 / rate)), stop]);
      }
      const s = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `simulated ${n} cameras for ${s} s: ${Object.entries(counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
      if (Object.keys(counts).some((k) => k.startsWith('error'))) process.exitCode = 1;
    });
}
