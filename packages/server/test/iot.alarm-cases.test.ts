/**
 * Alarm → case over real MQTT: 自动识别、自动派单、人力处置、自动结案. Built-in device types and
 * rules (0006, with the 0009 case mapping) in the loop city, whose matrix sends 01 to 市政管理
 * and 06 to 绿化市容.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telemetryTopic } from '../src/iot/broker.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { login } from './http-harness.ts';
import { connectDevice, createDevice, eventually, type IotTest, startIotTest } from './iot-harness.ts';

interface CaseBody {
  id: number;
  number: string;
  status: string;
  version: number;
  source: string;
  category: string;
  urgency: string;
  departmentCode: string | null;
  deviceId: string | null;
  externalIds: Record<string, string>;
  timeline?: Array<{ action: string; actorRole: string; note: string | null }>;
}

describe(`alarm → case on ${testEngine}`, () => {
  let db: TestDb;
  let t: IotTest;
  const tokens: Record<string, string> = {};
  const users: Record<string, string> = {};
  const clients = new Map<string, MqttClient>();
  // Around the square, in the loop city's grids, ≈ 28 m apart (beyond the 20 m auto-merge radius).
  let spot = 0;
  const nextSpot = () => {
    const i = spot++;
    return {
      lng: square.lng - 0.0009 + (i % 7) * 0.0003,
      lat: square.lat - 0.0008 + Math.floor(i / 7) * 0.0004,
    };
  };
  const jpeg = Buffer.concat([
    Buffer.from([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00,
      0x01, 0x00, 0x00,
    ]),
    Buffer.alloc(500, 7),
    Buffer.from([0xff, 0xd9]),
  ]);

  async function publish(id: string, values: Record<string, unknown>) {
    let c = clients.get(id);
    if (!c) {
      c = await connectDevice(t.port, id, tokens[id]!);
      clients.set(id, c);
    }
    await c.publishAsync(telemetryTopic(id), JSON.stringify({ values }), { qos: 1 });
  }
  /** Publishes and waits until rules, alarms and the alarm → case step have caught up. */
  async function send(id: string, ...readings: Array<Record<string, unknown>>) {
    for (const values of readings) {
      await publish(id, values);
      // Distinct timestamps (ms): a reading per instant, in order.
      await new Promise((r) => setTimeout(r, 3));
    }
    await t.server.iot.sink.flushDerived();
    await t.server.iot.alarms.idle();
    await t.server.alarmCases.reconcile();
  }
  const casesOf = async (device: string) =>
    (
      await db.db.query<{ id: number }>('SELECT id::int AS id FROM cases WHERE device_id = $1 ORDER BY id', [
        device,
      ])
    ).rows.map((r) => r.id);
  const alarmsOf = async (device: string) =>
    (
      await db.db.query<{ id: number; case_id: number | null; cleared: boolean }>(
        'SELECT id::int AS id, case_id::int AS case_id, cleared FROM alarms WHERE device_id = $1 ORDER BY id',
        [device],
      )
    ).rows;
  const getCase = async (id: number) => (await t.api<CaseBody>('GET', `/api/v1/cases/${id}`)).body;
  const act = async (user: string, id: number, action: string, body: Record<string, unknown> = {}) => {
    const c = await getCase(id);
    const res = await t.api<CaseBody>(
      'POST',
      `/api/v1/cases/${id}/${action}`,
      { version: c.version, ...body },
      users[user],
    );
    if (res.status !== 200) throw new Error(`${action}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  async function photo(user: string): Promise<string> {
    const boundary = '----onegrid-iot-boundary';
    const res = await t.server.app.inject({
      method: 'POST',
      url: '/api/v1/attachments',
      headers: {
        authorization: `Bearer ${users[user]}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload: Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="fix.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
        ),
        jpeg,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    });
    return res.json().id;
  }
  /** The department takes the task and reports it fixed. */
  async function handle(user: string, id: number) {
    await act(user, id, 'accept-task');
    return act(user, id, 'handle', { note: '已处置', photos: [await photo(user)] });
  }
  /** One reconciler pass as if `seconds` had gone by since now. */
  async function reconcileLater(seconds: number) {
    t.setNow(Date.now() + seconds * 1000);
    try {
      return await t.server.alarmCases.reconcile();
    } finally {
      t.setNow(Date.now());
    }
  }

  beforeAll(async () => {
    db = await openTestDb();
    await makeLoopCity(db.db);
    t = await startIotTest(db.db);
    await t.server.geo.refresh({ force: true });
    for (const u of ['szgl', 'lhsr', 'insp']) users[u] = await login(t.server, u);
    for (const id of ['w-warm', 'w-fast', 'w-flap', 'w-rec'])
      tokens[id] = await createDevice(t, { id, typeId: 'water-depth', location: nextSpot() });
    tokens['glass-1'] = await createDevice(t, {
      id: 'glass-1',
      typeId: 'curtain-wall',
      location: nextSpot(),
    });
  });
  afterAll(async () => {
    await Promise.all([...clients.values()].map((c) => c.endAsync(true)));
    await t?.close();
    await db?.close();
  });

  it('the built-in rules carry a case category, urgency and auto-close settings', async () => {
    const r = await db.db.query<{ type: string; category: string | null; urgency: string | null }>(
      'SELECT device_type_id AS type, case_category AS category, case_urgency AS urgency FROM rules WHERE device_type_id IS NOT NULL ORDER BY id',
    );
    const byType = Object.fromEntries(r.rows.map((x) => [x.type, x]));
    expect(byType['water-depth']?.category).toBe('01072');
    expect(byType['manhole-cover']).toMatchObject({ category: '01023', urgency: 'urgent' });
    expect(byType['air-quality']?.category).toBeNull();
  });

  it('a standing-water sensor crossing 27 cm files and dispatches a case by itself', async () => {
    // The first case of a fresh process pays for cold caches (PGlite plans, PostGIS): warm up.
    await send('w-warm', { depth: 3 }, { depth: 45 });
    expect(await casesOf('w-warm')).toHaveLength(1);
    await send('w-fast', { depth: 3 });
    const t0 = Date.now();
    await publish('w-fast', { depth: 31.5 });
    // No help from the test: the alarm's listener files the case by itself.
    const id = await eventually(async () => {
      const [c] = await casesOf('w-fast');
      return c !== undefined && (await getCase(c)).status === 'dispatched' ? c : undefined;
    }, 30_000);
    expect(id).toBeDefined();
    // Speed is for benchmarks, not pass/fail: alone it takes ≈ 0.3 s on either engine (the goal
    // is a second); a shared machine only slows it, so the time is reported, never asserted.
    console.info(`alarm → dispatched case took ${Date.now() - t0} ms (goal: 1 s)`);
    const c = await getCase(id!);
    expect(c).toMatchObject({
      status: 'dispatched',
      source: 'iot',
      category: '01072',
      urgency: 'urgent',
      departmentCode: '310101-szgl',
      deviceId: 'w-fast',
    });
    const [alarm] = await alarmsOf('w-fast');
    expect(c.externalIds).toEqual({ alarmId: String(alarm!.id) });
    expect(alarm!.case_id).toBe(id);
    expect(c.timeline!.map((e) => [e.action, e.actorRole])).toEqual([
      ['report', 'system'],
      ['accept', 'system'],
      ['auto-dispatch', 'system'],
    ]);
  });

  it('a flapping sensor yields one alarm and one case; a re-raise joins the open case', async () => {
    await send(
      'w-flap',
      { depth: 5 },
      { depth: 29 },
      { depth: 24 },
      { depth: 30 },
      { depth: 21 },
      { depth: 28 },
    );
    expect(await alarmsOf('w-flap')).toHaveLength(1);
    expect(await casesOf('w-flap')).toHaveLength(1);
    // Clear for real, then up again before anyone closed the case: a second alarm, still one case.
    await send('w-flap', { depth: 4 }, { depth: 33 });
    const alarms = await alarmsOf('w-flap');
    expect(alarms).toHaveLength(2);
    const cases = await casesOf('w-flap');
    expect(cases).toHaveLength(1);
    expect(alarms.map((a) => a.case_id)).toEqual([cases[0], cases[0]]);
    const c = await getCase(cases[0]!);
    expect(c.timeline!.filter((e) => e.action === 'comment').map((e) => e.note)).toEqual([
      expect.stringContaining(`#${alarms[1]!.id}`),
    ]);
  });

  it('recovery closes the case by itself once handled: system verify, then close', async () => {
    await send('w-rec', { depth: 2 }, { depth: 35 });
    const [id] = await casesOf('w-rec');
    expect((await getCase(id!)).status).toBe('dispatched');
    await send('w-rec', { depth: 6 });
    const [alarm] = await alarmsOf('w-rec');
    expect(alarm!.cleared).toBe(true);

    // Not clear for long enough yet: nothing happens.
    await t.server.alarmCases.reconcile();
    expect((await getCase(id!)).status).toBe('dispatched');
    // Clear for longer than the rule's 900 s, but nobody has handled it: a note, no close.
    await reconcileLater(901);
    let c = await getCase(id!);
    expect(c.status).toBe('dispatched');
    expect(c.timeline!.at(-1)).toMatchObject({ action: 'comment', actorRole: 'system' });
    await reconcileLater(1000); // noted once only
    expect((await getCase(id!)).timeline!.filter((e) => e.action === 'comment')).toHaveLength(1);

    // The department fixes it; the next pass checks and closes.
    expect((await handle('szgl', id!)).status).toBe('handled');
    const r = await reconcileLater(1200);
    expect(r.closed).toBe(1);
    c = await getCase(id!);
    expect(c.status).toBe('closed');
    expect(c.timeline!.slice(-2).map((e) => [e.action, e.actorRole])).toEqual([
      ['verify', 'system'],
      ['close', 'system'],
    ]);
    // A new alarm after the close opens a new case.
    await send('w-rec', { depth: 40 });
    expect(await casesOf('w-rec')).toHaveLength(2);
  });

  it('a category that needs an inspector waits for the inspector after recovery', async () => {
    await send('glass-1', { vibration: 0.5, broken: false }, { vibration: 0.7, broken: true });
    const [id] = await casesOf('glass-1');
    let c = await getCase(id!);
    expect(c).toMatchObject({ status: 'dispatched', category: '06004', departmentCode: '310101-lhsr' });
    expect((await handle('lhsr', id!)).status).toBe('handled');
    await send('glass-1', { vibration: 0.3, broken: false });
    expect((await alarmsOf('glass-1'))[0]!.cleared).toBe(true);
    await reconcileLater(3600);
    c = await getCase(id!);
    expect(c.status).toBe('handled');
    expect(c.timeline!.at(-1)).toMatchObject({ action: 'comment', actorRole: 'system' });
    const link = await db.db.query<{ state: string }>(
      'SELECT state FROM alarm_case_links WHERE case_id = $1',
      [id],
    );
    expect(link.rows[0]!.state).toBe('inspector');
    // The inspector looks and passes it; the operator closes as usual.
    expect((await act('insp', id!, 'verify', { passed: true })).status).toBe('checked');
  });

  it('restart-safe: an alarm whose case was never filed is filed by the next pass', async () => {
    // As if the process died between the alarm and its case: mark the link undone.
    tokens['w-late'] = await createDevice(t, { id: 'w-late', typeId: 'water-depth', location: nextSpot() });
    await send('w-late', { depth: 1 });
    await publish('w-late', { depth: 50 });
    await t.server.iot.alarms.idle();
    await t.server.alarmCases.reconcile();
    const [id] = await casesOf('w-late');
    await db.db.query('UPDATE alarms SET case_checked = false, case_id = NULL WHERE device_id = $1', [
      'w-late',
    ]);
    // Filing again is idempotent per alarm (or joins the open case): still one case.
    await t.server.alarmCases.reconcile();
    expect(await casesOf('w-late')).toEqual([id]);
    expect((await alarmsOf('w-late'))[0]!.case_id).toBe(id);
  });
});
