/**
 * Notifications against real receivers: an SMTP server (smtp-server) and one HTTP receiver
 * standing in for the WeCom robot, the DingTalk robot and the SMS gateway, each started here on a
 * free port. A dispatched task reaches the handler's bell (live over the event stream, theirs
 * alone) and every outside channel in its documented format; quiet hours hold a message back,
 * urgent kinds go through; a refused send is retried and survives a restart; 督办 reaches the
 * leader, a red alarm the one on duty, and the escalations the department head and the leaders.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { emit } from '../src/events/outbox.ts';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, streamPath, testServer } from './http-harness.ts';

interface Received {
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** Resolves with the first item `pick` accepts, now or when it arrives. */
function inbox<T>() {
  const items: T[] = [];
  const waiters: { pick: (x: T) => boolean; resolve: (x: T) => void }[] = [];
  return {
    items,
    push(x: T) {
      items.push(x);
      for (const w of waiters.splice(0)) {
        if (w.pick(x)) w.resolve(x);
        else waiters.push(w);
      }
    },
    next(pick: (x: T) => boolean): Promise<T> {
      const found = items.find(pick);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ pick, resolve }));
    },
  };
}

describe(`notifications on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let smtp: SMTPServer;
  let receiver: http.Server;
  let base: string;
  let users: Awaited<ReturnType<typeof makeLoopCity>>;
  let head: number;
  const mails = inbox<{ to: string; data: string }>();
  const hooks = inbox<Received>();
  /** Paths answering 500 (a robot that is down). */
  const failing = new Set<string>();
  let now = new Date('2026-11-23T02:00:00Z'); // 10:00 in Beijing
  const clock = () => now;
  // The clock jumps days between steps here; session expiry is tested in accounts.
  const longSessions = { sessionHours: 24 * 30, sessionIdleMinutes: 60 * 24 * 30 };
  const tokens: Record<string, string> = {};
  const call = async (user: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
    const res = await server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const act = (user: string, id: number, action: string, body: Record<string, unknown>) =>
    call(user, 'POST', `/api/v1/cases/${id}/${action}`, body);
  const dispatchedCase = async (description: string) => {
    const r = await call('insp', 'POST', '/api/v1/cases', {
      category: '06010',
      description,
      location: { lng: square.lng + 0.0003, lat: square.lat + 0.0003 },
    });
    const filed = await act('op', r.body.id, 'accept', { version: r.body.version });
    const d = await act('disp', r.body.id, 'dispatch', { version: filed.body.version });
    expect(d.body.status).toBe('dispatched');
    return d.body as { id: number; number: string; version: number };
  };
  /** Triggers then sends, as the scheduler's jobs do (they run too; this only waits less). */
  const settle = async () => {
    await server.notify.triggers.pass();
    await server.notify.service.drain();
  };
  const bell = (user: string) => call(user, 'GET', '/api/v1/notifications');
  /** A critical alarm raised on `device` as the alarm service writes it: the row and its event. */
  const redAlarm = (device: string) =>
    t.db.transaction(async (tx) => {
      const r = await tx.query<{ id: number }>(
        `INSERT INTO alarms (rule_id, device_id, severity, area_code, raised_at, updated_at)
         SELECT id, $2, 'critical', '310101002001002', $1, $1 FROM rules WHERE name = '测试红色报警'
         RETURNING id::int AS id`,
        [now, device],
      );
      const id = r.rows[0]!.id;
      await emit(tx, 'alarm.raised', '310101002001002', {
        id,
        severity: 'critical',
        ruleName: '测试红色报警',
        deviceId: device,
        deviceName: device,
      });
      return id;
    });
  /**
   * Triggers and sends until `user` has a notification of `kind` about `object`. The notifier reads
   * the outbox behind the oldest transaction still running in the cluster (on a shared PostgreSQL
   * that may be another suite's), so one pass may not see an event yet: this waits for the signal.
   */
  const settleFor = async (user: string, kind: string, object: string) => {
    const giveUp = Date.now() + 50_000;
    for (;;) {
      if (Date.now() > giveUp) throw new Error(`${user} was never told ${kind} about ${object}`);
      await settle();
      const b = await bell(user);
      const n = b.body.items.find(
        (x: { kind: string; object: string }) => x.kind === kind && x.object === object,
      );
      if (n) return n as { id: number; kind: string; object: string };
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          // nodemailer sends the text part in base64: decode it for the assertions.
          const raw = Buffer.concat(chunks).toString('utf8');
          const split = raw.indexOf('\r\n\r\n');
          const head = raw.slice(0, split);
          const body = raw.slice(split + 4);
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address).join(','),
            data: `${head}\n\n${/base64/i.test(head) ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body}`,
          });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    receiver = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://x');
        if (failing.has(u.pathname)) {
          res.writeHead(500).end();
          return;
        }
        hooks.push({ path: u.pathname, query: u.searchParams, headers: req.headers, body: JSON.parse(raw) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(u.pathname === '/sms' ? '{"ok":true}' : '{"errcode":0,"errmsg":"ok"}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    t = await openTestDb();
    users = await makeLoopCity(t.db);
    head = await ensureUser(t.db, { username: 'lhsr-head', role: 'handler', scopeCode: '310101' });
    await t.db.query("UPDATE departments SET head_user_id = $1 WHERE code = '310101-lhsr'", [head]);
    await ensureUser(t.db, { username: 'duty-off', role: 'operator', scopeCode: '310101' });
    // Scoped elsewhere, so that the area's own leader stays `boss` for the fallbacks tested first.
    await ensureUser(t.db, { username: 'duty-lead', role: 'leader', scopeCode: '310104' });
    server = await testServer(t.db, clock, {
      ...longSessions,
      notify: {
        smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
        smtpFrom: 'OneGrid <noreply@onegrid.test>',
        smsUrl: `${base}/sms`,
        smsToken: 'sms-token-123',
        publicUrl: 'https://onegrid.test',
        signWithinMinutes: 30,
        alarmAckMinutes: 5,
      },
    });
    await server.geo.refresh({ force: true });
    for (const u of ['insp', 'op', 'disp', 'lhsr', 'boss', 'root', 'lhsr-head', 'duty-off', 'duty-lead'])
      tokens[u] = await login(server, u);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
    await new Promise((r) => smtp?.close(() => r(undefined)));
    await new Promise((r) => receiver?.close(() => r(undefined)));
  });

  it('tells the handler of a dispatched task in the bell, live, and on every channel they chose', async () => {
    const prefs = await call('lhsr', 'PUT', '/api/v1/notifications/preferences', {
      channels: { email: true, sms: true, wecom: true, dingtalk: true },
      email: 'lhsr@onegrid.test',
      phone: '13800138000',
      wecomWebhook: `${base}/wecom/send?key=wecom-key`,
      dingtalkWebhook: `${base}/dingtalk/send?access_token=ding-token`,
      dingtalkSecret: 'SECding',
      quiet: null,
    });
    expect(prefs.status).toBe(200);
    // Robot keys are never read back.
    expect(prefs.body.mine.wecomWebhook).toBe('********');
    expect(prefs.body.effective.channels).toMatchObject({ email: true, sms: true });

    // The handler's own stream, and the dispatcher's: the notification is the handler's alone.
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
    const ac = new AbortController();
    const open = async (user: string) => {
      const res = await fetch(`${url}${await streamPath(server, tokens[user]!, 'topics=notify')}`, {
        signal: ac.signal,
      });
      const reader = res.body!.getReader();
      let text = '';
      return {
        async until(re: RegExp) {
          while (!re.test(text)) {
            const { value, done } = await reader.read();
            if (done) throw new Error('stream ended');
            text += new TextDecoder().decode(value);
          }
          return text;
        },
        text: () => text,
      };
    };
    onTestFinished(() => ac.abort());
    const mine = await open('lhsr');
    const theirs = await open('disp');
    await mine.until(/connected/);
    await theirs.until(/connected/);

    const c = await dispatchedCase('人民广场东侧暴露垃圾（通知测试）');
    await settleFor('lhsr', 'task.dispatched', `case:${c.id}`);
    const live = await mine.until(/event: notify\.created/);
    expect(live).toContain('新任务');
    const b = await bell('lhsr');
    expect(b.body.unread).toBe(1);
    expect(b.body.items[0]).toMatchObject({
      kind: 'task.dispatched',
      title: `新任务 ${c.number}`,
      link: `#/cases/${c.id}`,
      readAt: null,
    });

    const mail = await mails.next((m) => m.to === 'lhsr@onegrid.test');
    expect(mail.data).toContain('Subject:');
    expect(mail.data).toContain(`https://onegrid.test/#/cases/${c.id}`);
    const wecom = await hooks.next((h) => h.path === '/wecom/send');
    expect(wecom.query.get('key')).toBe('wecom-key');
    expect(wecom.body).toMatchObject({ msgtype: 'markdown' });
    expect((wecom.body.markdown as { content: string }).content).toContain(c.number);
    const ding = await hooks.next((h) => h.path === '/dingtalk/send');
    const ts = ding.query.get('timestamp')!;
    expect(ding.query.get('sign')).toBe(
      crypto.createHmac('sha256', 'SECding').update(`${ts}\nSECding`).digest('base64'),
    );
    expect(ding.body).toMatchObject({ msgtype: 'markdown', markdown: { title: `新任务 ${c.number}` } });
    const sms = await hooks.next((h) => h.path === '/sms');
    expect(sms.headers.authorization).toBe('Bearer sms-token-123');
    expect(sms.body).toMatchObject({ to: '13800138000' });

    // Read: the count drops, and someone else's notification is not theirs to mark.
    const id = b.body.items[0].id;
    expect((await call('disp', 'POST', `/api/v1/notifications/${id}/read`)).status).toBe(404);
    expect((await call('lhsr', 'POST', `/api/v1/notifications/${id}/read`)).body).toEqual({ unread: 0 });
    // The dispatcher's stream carried none of it.
    expect(theirs.text()).not.toContain('notify.created');

    // Telling twice (a trigger retried after a crash) tells nobody twice.
    await server.notify.triggers.pass();
    expect((await bell('lhsr')).body.items).toHaveLength(1);
  });

  it('holds outside messages in quiet hours, sends urgent ones, and mutes what the user muted', async () => {
    now = new Date('2026-11-23T15:00:00Z'); // 23:00 in Beijing
    await call('lhsr', 'PUT', '/api/v1/notifications/preferences', {
      channels: { email: true, sms: false, wecom: false, dingtalk: false },
      email: 'lhsr@onegrid.test',
      quiet: { start: '22:00', end: '07:00' },
    });
    const c = await dispatchedCase('夜间暴露垃圾（免打扰）');
    await settleFor('lhsr', 'task.dispatched', `case:${c.id}`);
    const held = await t.db.query<{ next_at: Date; status: string }>(
      `SELECT s.next_at, s.status FROM notification_sends s JOIN notifications n ON n.id = s.notification_id
        WHERE n.object = $1 AND s.channel = 'email'`,
      [`case:${c.id}`],
    );
    expect(held.rows[0]!.status).toBe('pending');
    expect(new Date(held.rows[0]!.next_at).toISOString()).toBe('2026-11-23T23:00:00.000Z'); // 07:00
    expect((await bell('lhsr')).body.unread).toBe(1); // the bell is not quiet

    // Muted kinds reach the bell only.
    await call('boss', 'PUT', '/api/v1/notifications/preferences', {
      channels: { email: true },
      email: 'boss@onegrid.test',
      muted: ['case.supervised'],
    });
    const s = await act('boss', c.id, 'supervise', { version: c.version, note: '尽快处理' });
    expect(s.status).toBe(200);
    await settleFor('boss', 'case.supervised', `case:${c.id}`);
    const boss = await bell('boss');
    expect(boss.body.items[0]).toMatchObject({ kind: 'case.supervised', title: `督办 ${c.number}` });
    const sends = await t.db.query(
      `SELECT 1 FROM notification_sends s JOIN notifications n ON n.id = s.notification_id
        WHERE n.user_id = $1`,
      [users.leader],
    );
    expect(sends.rows).toHaveLength(0);

    // The escalation is urgent: sent at once, quiet hours or not, to the department head.
    await call('lhsr-head', 'PUT', '/api/v1/notifications/preferences', {
      channels: { email: true },
      email: 'head@onegrid.test',
      quiet: { start: '22:00', end: '07:00' },
    });
    now = new Date(now.getTime() + 31 * 60_000);
    await settleFor('lhsr-head', 'escalation.unsigned', `case:${c.id}`);
    const esc = await bell('lhsr-head');
    expect(esc.body.items.map((n: { kind: string }) => n.kind)).toContain('escalation.unsigned');
    const mail = await mails.next((m) => m.to === 'head@onegrid.test');
    expect(mail.data).toContain('Subject:');
    // A second sweep tells nobody again.
    await settle();
    expect(
      (await bell('lhsr-head')).body.items.filter((n: { object: string }) => n.object === `case:${c.id}`),
    ).toHaveLength(1);
  });

  it('tells the one on duty of a red alarm and the leaders when nobody acknowledges it', async () => {
    now = new Date('2026-11-24T02:00:00Z');
    await t.db.exec(`
      INSERT INTO device_types (id, name_zh, name_en, metrics, expected_interval_s)
        VALUES ('smoke-t', '烟感', 'Smoke', '[]', 60) ON CONFLICT DO NOTHING;
      INSERT INTO devices (id, token_hash, type_id, name, unit_grid_code)
        VALUES ('smoke-1', 'x', 'smoke-t', '烟感 1 号', '310101002001002'),
               ('smoke-2', 'x', 'smoke-t', '烟感 2 号', '310101002001002');
      INSERT INTO rules (name, device_type_id, condition, severity) VALUES ('测试红色报警', 'smoke-t', '{}', 'critical');
    `);
    const alarmId = await redAlarm('smoke-1');
    await settleFor('op', 'alarm.red', `alarm:${alarmId}`);
    // No duty roster here: the area's operator (值班长) is on duty.
    const op = await bell('op');
    expect(op.body.items[0]).toMatchObject({ kind: 'alarm.red', object: `alarm:${alarmId}`, link: '#/iot' });

    now = new Date(now.getTime() + 6 * 60_000);
    await settleFor('boss', 'escalation.alarm', `alarm:${alarmId}`);
    const boss = await bell('boss');
    expect(boss.body.items[0]).toMatchObject({ kind: 'escalation.alarm', object: `alarm:${alarmId}` });
  });

  it('follows the duty roster: the officer on shift first, then the leader in charge', async () => {
    await t.db.query(
      `INSERT INTO duty_shifts (area_code, user_id, post, starts_at, ends_at)
       SELECT '310101', id, CASE username WHEN 'duty-off' THEN 'officer' ELSE 'lead' END, $1, $2
         FROM users WHERE username IN ('duty-off', 'duty-lead')`,
      [new Date(now.getTime() - 3_600_000), new Date(now.getTime() + 8 * 3_600_000)],
    );
    const alarmId = await redAlarm('smoke-2');
    await settleFor('duty-off', 'alarm.red', `alarm:${alarmId}`);
    expect(
      (await bell('op')).body.items.some((n: { object: string }) => n.object === `alarm:${alarmId}`),
    ).toBe(false);
    now = new Date(now.getTime() + 6 * 60_000);
    await settleFor('duty-lead', 'escalation.alarm', `alarm:${alarmId}`);
  });

  it('retries a refused send and keeps it across a restart until the receiver takes it', async () => {
    now = new Date('2026-11-25T02:00:00Z');
    failing.add('/wecom-down');
    await call('lhsr', 'PUT', '/api/v1/notifications/preferences', {
      channels: { email: false, wecom: true },
      wecomWebhook: `${base}/wecom-down?key=k2`,
      quiet: null,
    });
    const c = await dispatchedCase('机器人掉线时的派遣');
    await settleFor('lhsr', 'task.dispatched', `case:${c.id}`);
    const row = async () =>
      (
        await t.db.query<{ status: string; attempts: number; last_error: string | null; next_at: Date }>(
          `SELECT s.status, s.attempts, s.last_error, s.next_at FROM notification_sends s
             JOIN notifications n ON n.id = s.notification_id WHERE n.object = $1 AND s.channel = 'wecom'`,
          [`case:${c.id}`],
        )
      ).rows[0]!;
    const first = await row();
    expect(first).toMatchObject({ status: 'pending', attempts: 1 });
    expect(first.last_error).toContain('HTTP 500');
    expect(first.last_error).not.toContain('k2'); // the robot's key never reaches a log or a row

    // The process goes away with the send unsent; a new one picks it up when it is due.
    await server.close();
    failing.delete('/wecom-down');
    server = await testServer(t.db, clock, {
      ...longSessions,
      notify: {
        smtpUrl: undefined,
        smtpFrom: 'x',
        smsUrl: undefined,
        smsToken: undefined,
        publicUrl: undefined,
        signWithinMinutes: 30,
        alarmAckMinutes: 5,
      },
    });
    // Due again after its backoff: the new process sends it (a dropped connection is retried too).
    for (let i = 0; i < 5 && (await row()).status !== 'sent'; i++) {
      now = new Date(Math.max(now.getTime(), new Date((await row()).next_at).getTime()) + 1000);
      await server.notify.service.drain();
    }
    const got = await hooks.next((h) => h.path === '/wecom-down');
    expect((got.body.markdown as { content: string }).content).toContain(c.number);
    expect((await row()).status).toBe('sent');
  });

  it('checks preferences, and lets only an administrator set a role’s', async () => {
    const bad = await call('lhsr', 'PUT', '/api/v1/notifications/preferences', {
      quiet: { start: '25:00', end: '07:00' },
      email: 'not-mail',
    });
    expect(bad.status).toBe(400);
    expect(
      (
        await call('lhsr', 'PUT', '/api/v1/notifications/preferences/roles/handler', {
          channels: { sms: true },
        })
      ).status,
    ).toBe(403);
    const ok = await call('root', 'PUT', '/api/v1/notifications/preferences/roles/handler', {
      channels: { sms: true },
    });
    expect(ok.status).toBe(200);
    const audit = await t.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'config.notify-prefs' AND object = 'role:handler'",
    );
    expect(audit.rows).toHaveLength(1);
    const p = await call('lhsr', 'GET', '/api/v1/notifications/preferences');
    expect(p.body.role.channels).toEqual({ sms: true });
  });
});
