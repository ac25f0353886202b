/**
 * `onegrid serve --role …` as processes on one PostgreSQL: two processes with the api and
 * scheduler roles. An event written through one reaches an SSE client of the other (each API
 * process tails the outbox); one of them holds the scheduler lease, and when it is killed
 * (SIGKILL: no release) the other takes the lease over. PostgreSQL only: PGlite is one process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLoopCity, square } from '../../server/src/seed/loop-city.factory.ts';
import { openTestDb, type TestDb, testEngine } from '../../server/test/db-harness.ts';
import { freePort } from '../../server/test/mosquitto-harness.ts';
import { bin, repo } from './cli-harness.ts';

async function until<T>(fn: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(testEngine !== 'postgres')('serve --role: processes on one PostgreSQL', () => {
  let t: TestDb;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onegrid-roles-'));
  const procs: { child: ChildProcess; port: number; output: () => string }[] = [];

  async function serve(roles: string) {
    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'serve', '--role', roles, '--no-demo', '--no-simulator'], {
      cwd: repo,
      env: {
        ...process.env,
        DATABASE_URL: t.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ONEGRID_DATA_DIR: path.join(tmp, String(port)),
        ONEGRID_SCHEDULER_LEASE_SECONDS: '3',
        MQTT_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const p = { child, port, output: () => output };
    procs.push(p);
    return p;
  }
  const http = (port: number, url: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${port}${url}`, init);
  const ready = (port: number) =>
    until(
      async () => (await http(port, '/api/v1/health')).status === 200 || undefined,
      `the server on ${port}`,
    );
  const holder = async () =>
    (await t.db.query<{ holder: string }>("SELECT holder FROM leases WHERE name = 'scheduler'")).rows[0]
      ?.holder;

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
  });
  afterAll(async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await t?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('fans events out across API processes and hands the scheduler lease over when its holder is killed', async () => {
    const a = await serve('api,scheduler');
    const b = await serve('api,scheduler');
    await Promise.all([ready(a.port), ready(b.port)]).catch((e: Error) => {
      throw new Error(`${e.message}\n--- a:\n${a.output()}\n--- b:\n${b.output()}`);
    });
    const token = async (port: number, username: string) =>
      (
        (await (
          await http(port, '/api/v1/auth/login', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username, password: 'secret-pw' }),
          })
        ).json()) as { token: string }
      ).token;

    // An SSE client on B, subscribed (the stream's first comment says so) before the write on A.
    const ctrl = new AbortController();
    // The stream takes a short-lived ticket, never the session token, in its URL.
    const ticket = (
      (await (
        await http(b.port, '/api/v1/stream/ticket', {
          method: 'POST',
          headers: { authorization: `Bearer ${await token(b.port, 'op')}` },
        })
      ).json()) as { ticket: string }
    ).ticket;
    const stream = await http(b.port, `/api/v1/stream?ticket=${ticket}`, { signal: ctrl.signal });
    const reader = stream.body!.getReader();
    let text = '';
    const read = async () => {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
      return text;
    };
    await until(async () => (await read()).includes(': connected as op') || undefined, 'the stream to open');
    const res = await http(a.port, '/api/v1/cases', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(a.port, 'insp')}` },
      body: JSON.stringify({
        category: '06010',
        description: '跨进程推送',
        location: { lng: square.lng + 0.0003, lat: square.lat + 0.0003 },
      }),
    });
    expect(res.status).toBe(201);
    const { number } = (await res.json()) as { number: string };
    await until(
      async () => (await read()).includes(number) || undefined,
      'the event on the other process',
      15_000,
    );
    expect(text).toMatch(/event: case\.report/);
    ctrl.abort();

    // One of the two holds the lease (its holder name carries its pid); kill it without a word.
    const first = await until(holder, 'a scheduler to take the lease');
    const [dead, survivor] = first.includes(`-${a.child.pid}-`) ? [a, b] : [b, a];
    expect(first).toContain(`-${dead.child.pid}-`);
    dead.child.kill('SIGKILL');
    const next = await until(
      async () => {
        const h = await holder();
        return h && h !== first ? h : undefined;
      },
      'the surviving scheduler to take the lease over',
      30_000,
    );
    expect(next).toContain(`-${survivor.child.pid}-`);
    expect((await http(survivor.port, '/api/v1/health')).status).toBe(200);
    // Two real processes start, compile and migrate on a 2-core machine: more than the default minute.
  }, 240_000);
});

describe.skipIf(testEngine === 'postgres')('serve --role: processes', () => {
  it('skipped on PGlite: several processes need one PostgreSQL (ONEGRID_TEST_ENGINE=postgres)', () => {});
});
