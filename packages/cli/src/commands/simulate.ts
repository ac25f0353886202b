import { loadConfig, telemetryTopic } from '@onegrid/server';
import type { Command } from 'commander';
import mqtt from 'mqtt';
import { type Kind, kinds, seeded } from '../simulate/kinds.ts';
import { pool, simDevices, startSimulation } from '../simulate/run.ts';
import { stormSensors, stormStep } from '../simulate/storm.ts';
import { registerChannelSimulations } from './simulate-channels.ts';

interface SimulateOptions {
  devices: string;
  rate: string;
  duration: string;
  api?: string;
  mqtt?: string;
  user: string;
  password: string;
  incidents: string;
  kinds?: string;
  prefix: string;
  seed?: string;
  scenario?: string;
}

const positive = (name: string, raw: string, allowZero = false): number => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    throw new Error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got "${raw}"`);
  return n;
};

/** The few API calls the simulator needs: log in, register a device or renew its token. */
function apiClient(base: string) {
  let token = '';
  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new Error(
        `cannot reach the OneGrid API at ${base}; is \`onegrid serve\` running? (--api sets the address)`,
      );
    }
    return { status: res.status, body: (await res.json().catch(() => ({}))) as T };
  }
  return {
    async login(username: string, password: string) {
      const r = await call<{ token?: string; error?: { message: string } }>('POST', '/api/v1/auth/login', {
        username,
        password,
      });
      if (r.status !== 200 || !r.body.token)
        throw new Error(`login as ${username} failed: ${r.body.error?.message ?? r.status}`);
      token = r.body.token;
    },
    /** Registers the device, or issues a new token when it exists already; returns the token. */
    async ensureDevice(d: {
      id: string;
      typeId: string;
      name: string;
      location: { lng: number; lat: number };
    }) {
      const created = await call<{ token?: string; error?: { message: string } }>(
        'POST',
        '/api/v1/devices',
        d,
      );
      if (created.status === 201 && created.body.token) return created.body.token;
      if (created.status !== 409)
        throw new Error(`registering ${d.id} failed: ${created.body.error?.message ?? created.status}`);
      const rotated = await call<{ token?: string; error?: { message: string } }>(
        'PATCH',
        `/api/v1/devices/${d.id}`,
        {
          rotateToken: true,
          disabled: false,
        },
      );
      if (!rotated.body.token)
        throw new Error(
          `renewing the token of ${d.id} failed: ${rotated.body.error?.message ?? rotated.status}`,
        );
      return rotated.body.token;
    },
  };
}

export function registerSimulate(program: Command) {
  const simulate = program.command('simulate');
  registerChannelSimulations(simulate);
  simulate
    .description(
      'connect N devices over MQTT and publish realistic readings, with incidents that raise alarms',
    )
    .option('--devices <n>', 'number of devices (spread over the built-in kinds)', '60')
    .option('--rate <r>', 'messages per second, all devices together', '10')
    .option('--duration <s>', 'seconds to run; 0 runs until Ctrl-C', '60')
    .option('--api <url>', 'OneGrid API, to register the devices (default http://localhost:$PORT)')
    .option('--mqtt <url>', 'MQTT broker (default MQTT_URL, else the embedded broker on ONEGRID_MQTT_PORT)')
    .option('--user <name>', 'administrator who registers the devices', 'admin')
    .option(
      '--password <pw>',
      'their password (default: the demo password)',
      process.env.ONEGRID_ADMIN_PASSWORD ?? 'onegrid-demo',
    )
    .option('--incidents <n>', 'incidents started per minute, all devices together', '6')
    .option('--kinds <list>', `comma-separated kinds (${kinds.join(', ')})`)
    .option('--prefix <p>', 'device id prefix', 'sim')
    .option('--seed <n>', 'random seed, to repeat a run')
    .option(
      '--scenario <name>',
      'storm: a rainstorm over 人民广场 — standing-water sensors flood one after another (--devices of them, default 6) and recede, over --duration seconds',
    )
    .action(async (o: SimulateOptions, cmd: Command) => {
      const config = loadConfig();
      if (o.scenario !== undefined && o.scenario !== 'storm')
        throw new Error(`unknown scenario "${o.scenario}"; known: storm`);
      if (o.scenario === 'storm') {
        const explicit = (name: string) => cmd.getOptionValueSource(name) === 'cli';
        await runStorm({
          config,
          n: explicit('devices') ? Math.round(positive('devices', o.devices)) : 6,
          duration: explicit('duration') ? positive('duration', o.duration) : 120,
          api: apiClient(o.api ?? `http://localhost:${config.port}`),
          user: o.user,
          password: o.password,
          mqttUrl: o.mqtt ?? config.mqttUrl ?? `mqtt://localhost:${config.mqttPort}`,
          ...(o.mqtt || config.mqttUrl ? { topicPrefix: config.mqttTopicPrefix } : {}),
        });
        return;
      }
      const n = Math.round(positive('devices', o.devices));
      const rate = positive('rate', o.rate);
      const duration = positive('duration', o.duration, true);
      const perMinute = positive('incidents', o.incidents, true);
      const chosen = (o.kinds?.split(',').map((k) => k.trim()) ?? [...kinds]) as Kind[];
      const unknown = chosen.filter((k) => !kinds.includes(k));
      if (unknown.length) throw new Error(`unknown kind ${unknown.join(', ')}; known: ${kinds.join(', ')}`);
      const random = o.seed ? seeded(Number(o.seed)) : Math.random;
      const apiUrl = o.api ?? `http://localhost:${config.port}`;
      const mqttUrl = o.mqtt ?? config.mqttUrl ?? `mqtt://localhost:${config.mqttPort}`;

      const api = apiClient(apiUrl);
      await api.login(o.user, o.password);
      const devices = simDevices(
        Array.from({ length: n }, (_, i) => ({
          id: `${o.prefix}-${chosen[i % chosen.length]}-${String(Math.floor(i / chosen.length) + 1).padStart(4, '0')}`,
          kind: chosen[i % chosen.length]!,
        })),
        random,
      );
      process.stderr.write(`registering ${n} devices through ${apiUrl} …\n`);
      const tokens = await pool(devices, 8, (d) =>
        api.ensureDevice({
          id: d.id,
          typeId: d.kind,
          name: `模拟 ${d.id}`,
          // Central Shanghai, where the demo city has its grids.
          location: { lng: 121.44 + random() * 0.08, lat: 31.2 + random() * 0.06 },
        }),
      );
      process.stderr.write(`connecting them to ${mqttUrl} …\n`);
      const sim = await startSimulation({
        mqttUrl,
        // An external broker shared by deployments: publish under this deployment's prefix.
        ...(o.mqtt || config.mqttUrl ? { topicPrefix: config.mqttTopicPrefix } : {}),
        devices,
        tokens,
        rate,
        incidentsPerMinute: perMinute,
        random,
      });
      const counts = sim.counts;
      const started = Date.now();
      const progress = setInterval(() => {
        const s = Math.round((Date.now() - started) / 1000);
        process.stderr.write(
          `  ${s} s: sent ${counts.sent}, acknowledged ${counts.acked}, failed ${counts.failed}, incidents ${counts.incidents}\n`,
        );
      }, 5000);
      await new Promise<void>((resolve) => {
        if (duration > 0) setTimeout(resolve, duration * 1000);
        process.once('SIGINT', () => resolve());
      });
      clearInterval(progress);
      // Let the last acknowledgements arrive before closing.
      await sim.stop();
      const s = (Date.now() - started) / 1000;
      console.log(
        `simulated ${n} devices for ${s.toFixed(1)} s: ${counts.sent} messages (${(counts.sent / s).toFixed(1)}/s), ` +
          `${counts.acked} acknowledged, ${counts.failed} failed, ${counts.incidents} incidents injected`,
      );
      if (counts.failed > 0) process.exitCode = 1;
    });
}

/** The storm: register the sensors, then publish one reading each per step (40 steps) over the duration. */
async function runStorm(o: {
  config: ReturnType<typeof loadConfig>;
  n: number;
  duration: number;
  api: ReturnType<typeof apiClient>;
  user: string;
  password: string;
  mqttUrl: string;
  topicPrefix?: string;
}) {
  await o.api.login(o.user, o.password);
  const sensors = stormSensors(o.n);
  process.stderr.write(`storm over 人民广场: registering ${sensors.length} standing-water sensors …\n`);
  const tokens = await pool(sensors, 8, (d) =>
    o.api.ensureDevice({
      id: d.id,
      typeId: 'water-depth',
      name: d.name,
      location: { lng: d.lng, lat: d.lat },
    }),
  );
  const clients = await pool(sensors, 8, (d, i) =>
    mqtt.connectAsync(o.mqttUrl, {
      clientId: d.id,
      username: d.id,
      password: tokens[i],
      reconnectPeriod: 2000,
    }),
  );
  const steps = 40;
  let sent = 0;
  for (let s = 0; s < steps; s++) {
    const messages = stormStep(sensors, s, steps, Date.now());
    await Promise.all(
      messages.map((m, i) =>
        clients[i]!.publishAsync(
          telemetryTopic(m.deviceId, o.topicPrefix),
          JSON.stringify({ ts: m.ts, values: m.values }),
          {
            qos: 1,
          },
        ),
      ),
    );
    sent += messages.length;
    const deepest = Math.max(...messages.map((m) => m.values.depth));
    process.stderr.write(
      `  step ${s + 1}/${steps}: deepest ${deepest.toFixed(0)} cm, ${messages.filter((m) => m.values.depth > 27).length} sensors above 27 cm\n`,
    );
    await new Promise((r) => setTimeout(r, (o.duration * 1000) / steps));
  }
  await Promise.all(clients.map((c) => c.endAsync(false)));
  console.log(
    `storm: ${sent} readings from ${sensors.length} sensors; the flood plan is proposed once three alarm in one street`,
  );
}
