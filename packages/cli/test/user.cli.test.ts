/**
 * A city without the demo, as a person starts it: districts imported, the first security
 * administrator created with `onegrid user add` (weak passwords refused), a password set with
 * `onegrid user passwd`, and that account logging in to a server on the same database. On PGlite
 * also `onegrid backup` / `onegrid restore`: the restored copy has the account and the attachments.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/src/db/db.ts';
import { openPglite } from '../../server/src/db/pglite.ts';
import { openPostgres } from '../../server/src/db/postgres.ts';
import { buildServer } from '../../server/src/server.ts';
import { openTestDb, type TestDb, testEngine } from '../../server/test/db-harness.ts';
import { feature, polygon, square, tempDir, writeGeoJson } from '../../server/test/import-fixture.ts';
import { onegridOn } from './cli-harness.ts';

const onegrid = (args: string[], dataDir: string, databaseUrl?: string, password?: string) =>
  onegridOn(args, dataDir, databaseUrl, { ONEGRID_PASSWORD: password });

/** Logs in through a real server on `db`: the status and whether the session may only enrol. */
async function tryLogin(db: Db, username: string, password: string) {
  const server = await buildServer({
    db,
    log: pino({ level: 'silent' }),
    config: { sessionHours: 12, webDir: '/nonexistent' },
  });
  try {
    const r = await server.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password },
    });
    return { status: r.statusCode, enrol: r.json().secondFactorEnrolmentRequired as boolean | undefined };
  } finally {
    await server.close();
  }
}

describe(`onegrid user add / passwd, backup / restore (command line, ${testEngine})`, () => {
  const tmp = tempDir('onegrid-cli-user-');
  const dataDir = path.join(tmp.dir, 'data');
  let pg: TestDb | undefined;
  const districts = writeGeoJson(tmp.dir, 'districts.geojson', [
    feature({ adcode: 310101, name: '黄浦区' }, polygon(square(121.46, 31.21, 0.04))),
  ]);
  beforeAll(async () => {
    if (testEngine === 'postgres') pg = await openTestDb();
  });
  afterAll(async () => {
    await pg?.close();
    tmp.remove();
  });
  const open = async (dir = dataDir): Promise<Db> =>
    pg?.url ? openPostgres(pg.url) : openPglite({ dataDir: dir });

  it('creates the first security administrator of a city without the demo, who then logs in', async () => {
    expect((await onegrid(['import', 'districts', districts], dataDir, pg?.url)).code).toBe(0);

    for (const weak of ['12345678', 'woaini1314', 'chief123', '        ']) {
      const r = await onegrid(
        ['user', 'add', 'chief', '--role', 'security', '--scope', '3101'],
        dataDir,
        pg?.url,
        weak,
      );
      expect(r.code, weak).toBe(1);
      expect(r.stderr, weak).toMatch(/^onegrid: password: /);
    }
    const noPassword = await onegrid(
      ['user', 'add', 'chief', '--role', 'security', '--scope', '3101'],
      dataDir,
      pg?.url,
    );
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toContain('set ONEGRID_PASSWORD');
    const badRole = await onegrid(
      ['user', 'add', 'chief', '--role', 'boss', '--scope', '3101'],
      dataDir,
      pg?.url,
      'x',
    );
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toContain('unknown role "boss"');
    const ok = await onegrid(
      ['user', 'add', 'chief', '--role', 'security', '--scope', '3101', '--name', '安全管理员'],
      dataDir,
      pg?.url,
      'harbour-lights-1931',
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^created user chief \(id \d+, role security, scope 3101\)$/m);
    const passwd = await onegrid(['user', 'passwd', 'chief'], dataDir, pg?.url, 'bund-at-dawn-2026');
    expect(passwd.code).toBe(0);
    expect(passwd.stdout).toContain('password set for chief');

    const db = await open();
    try {
      expect(await tryLogin(db, 'chief', 'harbour-lights-1931')).toMatchObject({ status: 401 });
      // An administrator made this way enrols a second factor at the first login.
      expect(await tryLogin(db, 'chief', 'bund-at-dawn-2026')).toEqual({ status: 200, enrol: true });
    } finally {
      await db.close();
    }
  }, 600_000);

  it.skipIf(testEngine === 'postgres')(
    'backs up the embedded database with its attachments and restores it into a new data dir',
    async () => {
      const attachments = path.join(dataDir, 'attachments', 'ab');
      fs.mkdirSync(attachments, { recursive: true });
      fs.writeFileSync(path.join(attachments, 'photo.jpg'), 'jpeg bytes');
      const file = path.join(tmp.dir, 'city.onegrid-backup');
      const b = await onegrid(['backup', file], dataDir);
      expect(b.stderr).toBe('');
      expect(b.code).toBe(0);
      expect(b.stdout).toMatch(/1 attachment file\(s\)/);

      const restored = path.join(tmp.dir, 'restored');
      const r = await onegrid(['restore', file], restored);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(fs.readFileSync(path.join(restored, 'attachments', 'ab', 'photo.jpg'), 'utf8')).toBe(
        'jpeg bytes',
      );
      // Restoring over a database needs --force.
      const again = await onegrid(['restore', file], restored);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('already holds a database');
      expect((await onegrid(['restore', districts], path.join(tmp.dir, 'x'))).code).toBe(1);

      const db = await open(restored);
      try {
        const areas = await db.query<{ code: string }>('SELECT code FROM areas ORDER BY code');
        expect(areas.rows.map((a) => a.code)).toEqual(['3101', '310101']);
        expect(await tryLogin(db, 'chief', 'bund-at-dawn-2026')).toEqual({ status: 200, enrol: true });
      } finally {
        await db.close();
      }
    },
    600_000,
  );
});
