/**
 * The audit log: written in the change's own transaction, append-only, hash-chained; the
 * auditor's API with its filters; verify finding the first entry changed or removed by hand;
 * retention keeping the chain verifiable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneAudit, verifyAuditChain } from '../src/audit/audit.service.ts';
import { audit, recordServiceAccess } from '../src/audit/audit.ts';
import type { Server } from '../src/server.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { ensureUser, login, testServer } from './http-harness.ts';

describe(`audit log on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let auditorToken: string;
  beforeAll(async () => {
    t = await openTestDb();
    server = await testServer(t.db);
    await ensureUser(t.db, { username: 'aud', role: 'auditor' });
    await ensureUser(t.db, { username: 'adm', role: 'admin' });
    await ensureUser(t.db, { username: 'sec', role: 'security' });
    auditorToken = await login(server, 'aud');
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  const list = async (query = '', token = auditorToken) =>
    server.app.inject({
      method: 'GET',
      url: `/api/v1/audit${query}`,
      headers: { authorization: `Bearer ${token}` },
    });

  it('records logins, failures and logouts with the actor and address; only the auditor reads them', async () => {
    const bad = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'adm', password: 'wrong-one' },
      remoteAddress: '10.1.2.3',
    });
    expect(bad.statusCode).toBe(401);
    const admToken = await login(server, 'adm');
    const out = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { authorization: `Bearer ${admToken}` },
    });
    expect(out.statusCode).toBe(204);

    const res = await list('?actor=adm');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const items = res.json().items as { seq: number; action: string; ip: string; details: unknown }[];
    expect(items.map((e) => e.action)).toEqual(['auth.logout', 'auth.login', 'auth.login-failed']);
    expect(items[2]).toMatchObject({ ip: '10.1.2.3', details: { reason: 'wrong-password' } });
    // newest first
    expect(items[0]!.seq).toBeGreaterThan(items[1]!.seq);

    for (const who of ['adm', 'sec']) {
      const other = await list('', await login(server, who));
      expect(other.statusCode).toBe(403);
    }
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/audit' })).statusCode).toBe(401);
  });

  it('filters by time, action group and object, and pages', async () => {
    const all = (await list('?limit=500')).json().items as { seq: number; at: string; action: string }[];
    expect(all.length).toBeGreaterThan(3);
    const auth = (await list('?action=auth')).json().items as { action: string }[];
    expect(auth.length).toBeGreaterThan(0);
    expect(auth.every((e) => e.action.startsWith('auth.'))).toBe(true);
    const failed = (await list('?action=auth.login-failed')).json().items as unknown[];
    expect(failed).toHaveLength(1);
    const byObject = (await list('?object=user:adm')).json().items as { action: string }[];
    expect(byObject.map((e) => e.action)).toContain('auth.login');
    const future = (
      await list(`?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`)
    ).json();
    expect(future.items).toEqual([]);
    const page1 = (await list('?limit=2')).json();
    expect(page1.items).toHaveLength(2);
    const page2 = (await list(`?limit=2&before=${page1.next}`)).json();
    expect(page2.items[0].seq).toBe(page1.items[1].seq - 1);
    expect((await list('?limit=0')).statusCode).toBe(400);
    expect((await list('?from=yesterday')).statusCode).toBe(400);
  });

  it('writes the entry in the change’s transaction: a rolled-back change leaves no entry', async () => {
    const before = (await t.db.query<{ seq: number }>('SELECT seq::int AS seq FROM audit_chain')).rows[0]!
      .seq;
    await expect(
      t.db.transaction(async (tx) => {
        await audit.record(tx, { action: 'config.test', object: 'x', details: { a: 1 } });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    const after = (await t.db.query<{ seq: number }>('SELECT seq::int AS seq FROM audit_chain')).rows[0]!.seq;
    expect(after).toBe(before);
    const none = await t.db.query("SELECT 1 FROM audit_log WHERE action = 'config.test'");
    expect(none.rowCount).toBe(0);
  });

  it('keeps the chain whole under concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.db.transaction((tx) => audit.record(tx, { action: 'config.parallel', details: { i } })),
      ),
    );
    const v = await verifyAuditChain(t.db);
    expect(v).toMatchObject({ ok: true });
    expect(v.checked).toBe(v.head.seq);
  });

  it('records service-account access through its hook', async () => {
    await recordServiceAccess(t.db, {
      account: '12345-hotline',
      route: 'GET /api/v1/cases',
      object: 'case:',
    });
    const [e] = (await list('?action=service')).json().items;
    expect(e).toMatchObject({
      actor: 'service:12345-hotline',
      action: 'service.access',
      details: { route: 'GET /api/v1/cases' },
    });
  });

  it('refuses UPDATE, DELETE and TRUNCATE of entries', async () => {
    await expect(t.db.query("UPDATE audit_log SET actor = 'x' WHERE seq = 1")).rejects.toThrow(/append-only/);
    await expect(t.db.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(t.db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    await expect(t.db.query('UPDATE audit_chain SET seq = seq + 5')).rejects.toThrow(/only moves forward/);
  });

  it('verify names the first entry changed or removed by hand in SQL', async () => {
    for (let i = 0; i < 4; i++) await audit.record(t.db, { action: 'config.tamper-target', details: { i } });
    const ids = (
      await t.db.query<{ seq: number }>(
        "SELECT seq::int AS seq FROM audit_log WHERE action = 'config.tamper-target' ORDER BY seq",
      )
    ).rows.map((r) => r.seq);
    const [changed, , removed] = ids as [number, number, number];
    // What someone with the database's owner rights could do: switch the guard off and edit.
    await t.db.transaction(async (tx) => {
      await tx.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change');
      await tx.query(`UPDATE audit_log SET details = '{"i": 99}' WHERE seq = $1`, [changed]);
      await tx.query('DELETE FROM audit_log WHERE seq = $1', [removed]);
      await tx.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change');
    });
    const v = await verifyAuditChain(t.db);
    expect(v.ok).toBe(false);
    expect(v.broken).toEqual({
      seq: changed,
      reason: `entry ${changed} was changed (its hash does not match)`,
    });
    // Put the changed one back: the removal is found next.
    await t.db.transaction(async (tx) => {
      await tx.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change');
      await tx.query(`UPDATE audit_log SET details = '{"i": 0}' WHERE seq = $1`, [changed]);
      await tx.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change');
    });
    const v2 = await verifyAuditChain(t.db);
    expect(v2.broken).toEqual({ seq: removed, reason: `entry ${removed} is missing (removed)` });
  });
});

describe(`audit retention on ${testEngine}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('prunes the old end, moves the anchor, records itself, and the chain still verifies', async () => {
    for (let i = 0; i < 5; i++) await audit.record(t.db, { action: 'config.old', details: { i } });
    // The hashes cover `at`, so entries are not aged by hand: pruning runs with a clock 200 days on.
    const old = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log');
    expect(old.rows[0]!.n).toBe(5);
    const inFuture = new Date(Date.now() + 200 * 86_400_000);
    await expect(pruneAudit(t.db, 30, inFuture)).rejects.toThrow(/at least 180 days/);
    const removed = await pruneAudit(t.db, 190, inFuture);
    expect(removed).toBe(5);
    const rest = await t.db.query<{ action: string; seq: number }>(
      'SELECT action, seq::int AS seq FROM audit_log ORDER BY seq',
    );
    expect(rest.rows).toEqual([{ action: 'audit.prune', seq: 6 }]);
    const v = await verifyAuditChain(t.db);
    expect(v).toMatchObject({ ok: true, checked: 1, anchor: { seq: 5 }, head: { seq: 6 } });
    // The anchor cannot be moved by hand.
    await expect(t.db.query('UPDATE audit_chain SET anchor_seq = 6')).rejects.toThrow();
    // Removing the oldest remaining entry by hand is still found.
    await audit.record(t.db, { action: 'config.new' });
    await t.db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('onegrid.audit_prune', 'on', true)`);
      await tx.query('DELETE FROM audit_log WHERE seq = 6');
    });
    expect((await verifyAuditChain(t.db)).broken).toEqual({ seq: 6, reason: 'entry 6 is missing (removed)' });
  });
});
