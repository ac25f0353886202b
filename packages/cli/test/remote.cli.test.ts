/**
 * The remote commands as a person runs them: real `onegrid` processes talking over HTTP, through the
 * generated client, to a OneGrid server on a free port. An inspector logs in and reports with a
 * photo; the operator lists, shows and accepts the case; mistakes get one clear line and exit 1.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLoopCity, square } from '../../server/src/seed/loop-city.factory.ts';
import type { Server } from '../../server/src/server.ts';
import { openTestDb, type TestDb, testEngine } from '../../server/test/db-harness.ts';
import { testServer } from '../../server/test/http-harness.ts';
import { onegrid } from './cli-harness.ts';

/** A 1×1 PNG: the server sniffs photos by their bytes. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

describe(`onegrid remote commands over the API (${testEngine})`, () => {
  let t: TestDb;
  let server: Server;
  let url: string;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onegrid-cli-remote-'));
  const homes = { insp: path.join(tmp, 'insp'), op: path.join(tmp, 'op') };

  beforeAll(async () => {
    t = await openTestDb();
    await makeLoopCity(t.db);
    server = await testServer(t.db);
    await server.geo.refresh({ force: true });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('logs in, reports with a photo, and the operator lists, shows and accepts the case', async () => {
    const login = await onegrid(['login', '--url', url, '--username', 'insp'], {
      ONEGRID_HOME: homes.insp,
      ONEGRID_PASSWORD: 'secret-pw',
    });
    expect(login.stderr).toBe('');
    expect(login.stdout).toContain(`logged in to ${url} as`);
    const session = path.join(homes.insp, 'session.json');
    expect(fs.statSync(session).mode & 0o777).toBe(0o600);

    const photo = path.join(tmp, 'litter.png');
    fs.writeFileSync(photo, png);
    const report = await onegrid(
      [
        'report',
        '--category',
        '06010',
        '--lng',
        String(square.lng + 0.0003),
        '--lat',
        String(square.lat + 0.0003),
        '--description',
        '人民广场东侧暴露垃圾',
        '--photo',
        photo,
        '--json',
      ],
      { ONEGRID_HOME: homes.insp },
    );
    expect(report.stderr).toBe('');
    const created = JSON.parse(report.stdout) as { id: number; number: string; status: string };
    expect(created.status).toBe('reported');

    const opEnv = { ONEGRID_HOME: homes.op, ONEGRID_PASSWORD: 'secret-pw' };
    expect((await onegrid(['login', '--url', url, '--username', 'op'], opEnv)).stdout).toContain('logged in');
    const list = await onegrid(['cases', 'list', '--status', 'reported'], opEnv);
    expect(list.stdout).toContain(created.number);
    expect(list.stdout).toContain('待受理');
    // A header row, and times in Shanghai's time zone (the due time is a Shanghai wall-clock time).
    expect(list.stdout.split('\n')[0]).toMatch(/^编号ID\s+案件编号\s+状态/);

    const show = await onegrid(['cases', 'show', created.number], opEnv);
    expect(show.stdout).toContain('人民广场东侧暴露垃圾');
    expect(show.stdout).toMatch(/下一步 next: .*立案 \(accept\)/);
    const { rows } = await t.db.query<{ at: string }>(
      `SELECT to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS at FROM cases WHERE id = $1`,
      [created.id],
    );
    expect(show.stdout).toContain(`  ${rows[0]?.at}  `);

    const act = await onegrid(['cases', 'act', String(created.id), 'accept', '--urgency', 'normal'], opEnv);
    expect(act.stderr).toBe('');
    // Statuses and what comes next by their Chinese names, not codes.
    expect(act.stdout).toContain(`${created.number}: 待受理 → `);
    expect(act.stdout).toMatch(/下一步 next: /);
    const row = await t.db.query<{ status: string; photos: number }>(
      `SELECT status, (SELECT count(*)::int FROM attachments a WHERE a.case_id = c.id) AS photos
         FROM cases c WHERE id = $1`,
      [created.id],
    );
    expect(row.rows[0]?.status).not.toBe('reported');
    expect(row.rows[0]?.photos).toBe(1);
  });

  it('says clearly what went wrong, with exit code 1', async () => {
    const wrong = await onegrid(['login', '--url', url, '--username', 'op'], {
      ONEGRID_HOME: path.join(tmp, 'wrong'),
      ONEGRID_PASSWORD: 'not-the-password',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^onegrid: .*401/m);

    const noServer = await onegrid(['cases', 'list', '--url', 'http://127.0.0.1:9'], {
      ONEGRID_HOME: homes.op,
    });
    expect(noServer.code).toBe(1);
    expect(noServer.stderr).toContain('cannot reach OneGrid at http://127.0.0.1:9');

    const anonymous = await onegrid(['cases', 'list', '--url', url], {
      ONEGRID_HOME: path.join(tmp, 'nobody'),
    });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('onegrid login');

    const badAction = await onegrid(['cases', 'act', '1', 'explode'], { ONEGRID_HOME: homes.op });
    expect(badAction.code).toBe(1);
    expect(badAction.stderr).toMatch(/onegrid: .*400/);
  });
});
