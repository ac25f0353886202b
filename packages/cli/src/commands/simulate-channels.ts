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

export function registerChannelSimulations(simulate: Command) {
  simulate
    .command('cameras')
    .description(
      'register AI cameras and send detections with generated snapshots (opens, joins and clears cases)',
    )
    .option('--cameras <n>', 'number of cameras', '12')
    .option('--rate <r>', 'detections per second, all cameras together', '1')
    .option('--duration <s>', 'seconds to run; 0 runs until Ctrl-C', '60')
    .option('--api <url>', 'OneGrid API (default http://localhost:$PORT)')
    .option('--security <name>', 'security user who creates the service account', 'security')
    .option(
      '--password <pw>',
      'their password (default: the demo password)',
      process.env.ONEGRID_SECURITY_PASSWORD ?? 'onegrid-demo',
    )
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
