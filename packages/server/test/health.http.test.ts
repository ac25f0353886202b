import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, testServer } from './http-harness.ts';

describe(`health on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  beforeAll(async () => {
    t = await openTestDb();
    server = await testServer(t.db);
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('says whether demo data (and so the demo accounts) is loaded', async () => {
    const before = await server.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(before.json()).toMatchObject({ demo: false });
    await ensureUser(t.db, { username: 'admin', role: 'admin' });
    await t.db.query("UPDATE users SET demo = true WHERE username = 'admin'");
    const after = await server.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(after.json()).toMatchObject({ status: 'ok', demo: true });
  });
});
