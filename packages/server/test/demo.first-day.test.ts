/**
 * A first day on the demo city with the README's accounts only: a citizen reports 暴露垃圾 at
 * 人民广场; `operator` sends the nearest inspector — the README's `inspector` — to verify; the
 * matrix's department is `handler`'s; the case reaches 结案 without any other account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/seed/demo.ts';
import { demoPhoto } from '../src/seed/demo-photo.ts';
import { makeDepartmentHandlers, makeMatrix } from '../src/seed/loop.factory.ts';
import { square } from '../src/seed/loop-city.factory.ts';
import type { Server } from '../src/server.ts';
import {
  hasSharedData,
  openTestDb,
  sharedDataDir,
  sharedDataSkipMessage,
  type TestDb,
  testEngine,
} from './db-harness.ts';
import { login, testServer } from './http-harness.ts';

if (!hasSharedData) console.log(`skipping the first-day demo test: ${sharedDataSkipMessage}`);

// The demo city as `npm start` seeds it: the public boundaries, where 人民广场 lies in 南京东路街道.
describe.skipIf(!hasSharedData)(
  `a first day on the demo city with the README's accounts on ${testEngine}`,
  () => {
    let t: TestDb;
    let server: Server;
    const tokens: Record<string, string> = {};
    const call = async (user: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
      const res = await server.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${tokens[user]}` },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
      return { status: res.statusCode, body: res.json() };
    };

    beforeAll(async () => {
      t = await openTestDb();
      await seedDemo(t.db, { sharedDataDir, streets: ['310101002'], componentDensity: 0.02 });
      await makeMatrix(t.db, '310101');
      await makeDepartmentHandlers(t.db, '310101');
      server = await testServer(t.db);
      for (const u of ['operator', 'dispatcher', 'handler', 'inspector'])
        tokens[u] = await login(server, u, 'onegrid-demo');
    });
    afterAll(async () => {
      await server?.close();
      await t?.close();
    });

    it('puts the README inspector on the grid holding 人民广场, alone on that grid', async () => {
      const r = await t.db.query<{ username: string }>(
        `SELECT u.username FROM duty_grids g JOIN duty_grid_inspectors i ON i.duty_grid_code = g.code
         JOIN users u ON u.id = i.user_id
        WHERE ST_Intersects(g.geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))`,
        [square.lng, square.lat],
      );
      expect(r.rows).toEqual([{ username: 'inspector' }]);
    });

    it('drives a citizen report at 人民广场 to 结案 with README accounts alone', async () => {
      const receipt = await server.app.inject({
        method: 'POST',
        url: '/api/v1/public/reports',
        payload: { category: '06010', description: '人民广场旁暴露垃圾', location: square },
      });
      expect(receipt.statusCode).toBe(201);
      const number = receipt.json().number as string;
      const found = await call('operator', 'GET', `/api/v1/cases?q=${encodeURIComponent(number)}`);
      const id = found.body.items[0].id as number;
      let c = (await call('operator', 'GET', `/api/v1/cases/${id}`)).body;
      expect(c.allowedActions).toContain('verify-report');
      expect(c.sourcePolicy.awaitingVerification).toBe(true);

      // Candidates: in scope, nearest duty grid first, with on-duty state; the README inspector leads.
      const candidates = await call('operator', 'GET', `/api/v1/cases/${id}/inspectors`);
      expect(candidates.status).toBe(200);
      expect(candidates.body[0]).toMatchObject({ username: 'inspector', distanceMeters: 0, onDuty: false });
      const distances = candidates.body.map((x: { distanceMeters: number }) => x.distanceMeters);
      expect(distances).toEqual([...distances].sort((a, b) => a - b));
      expect(
        candidates.body.every((x: { dutyGridCodes: string[] }) =>
          x.dutyGridCodes[0]?.startsWith('310101002'),
        ),
      ).toBe(true);
      const inspectorId = candidates.body[0].id as number;

      const step = async (user: string, action: string, body: Record<string, unknown> = {}) => {
        const r = await call(user, 'POST', `/api/v1/cases/${id}/${action}`, { version: c.version, ...body });
        expect(r.status, `${user} ${action}: ${JSON.stringify(r.body)}`).toBe(200);
        c = r.body;
      };
      await step('operator', 'verify-report', { inspectorId });
      await step('inspector', 'confirm-report', { confirmed: true });
      await step('operator', 'accept');
      // The matrix sends 暴露垃圾 at the square to the README handler's department.
      const me = await call('handler', 'GET', '/api/v1/auth/me');
      expect(c.proposal.departmentCode).toBe(me.body.departmentCode);
      await step('dispatcher', 'dispatch');
      expect(c.departmentCode).toBe(me.body.departmentCode);
      await step('handler', 'accept-task');
      const boundary = '----first-day';
      const upload = await server.app.inject({
        method: 'POST',
        url: '/api/v1/attachments',
        headers: {
          authorization: `Bearer ${tokens.handler}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        payload: Buffer.concat([
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="after.png"\r\nContent-Type: image/png\r\n\r\n`,
          ),
          demoPhoto([90, 160, 90]),
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]),
      });
      expect(upload.statusCode).toBe(201);
      await step('handler', 'handle', { photos: [upload.json().id], note: '已清理' });
      await step('inspector', 'verify', { passed: true });
      await step('operator', 'close');
      expect(c.status).toBe('closed');

      // The citizen follows it with the receipt's key: the result and the after-photo, no names.
      const key = receipt.json().trackingKey as string;
      const tracked = await server.app.inject({
        method: 'GET',
        url: `/api/v1/public/reports/${number}?key=${encodeURIComponent(key)}`,
      });
      expect(tracked.statusCode).toBe(200);
      const result = tracked.json().result as { note: string; photos: string[] };
      expect(result).toMatchObject({ note: '已清理', photos: [upload.json().id] });
      const photoUrl = (k: string, id = result.photos[0]) =>
        `/api/v1/public/reports/${number}/photos/${id}?key=${encodeURIComponent(k)}`;
      const img = await server.app.inject({ method: 'GET', url: photoUrl(key) });
      expect(img.statusCode).toBe(200);
      expect(img.headers['content-type']).toBe('image/png');
      expect(img.rawPayload.subarray(1, 4).toString()).toBe('PNG');
      // Without the key, or a photo that is not this report's result: the same 404.
      expect((await server.app.inject({ method: 'GET', url: photoUrl('WRONGKEY') })).statusCode).toBe(404);
      expect((await server.app.inject({ method: 'GET', url: photoUrl(key, 'not-a-photo') })).statusCode).toBe(
        404,
      );
    });

    it('explains why a public report is verified first, and files it directly only with a reason', async () => {
      const receipt = await server.app.inject({
        method: 'POST',
        url: '/api/v1/public/reports',
        payload: { category: '06010', description: '人民广场旁暴露垃圾（照片清晰）', location: square },
      });
      const number = receipt.json().number as string;
      const found = await call('operator', 'GET', `/api/v1/cases?q=${encodeURIComponent(number)}`);
      const id = found.body.items[0].id as number;
      const before = (await call('operator', 'GET', `/api/v1/cases/${id}`)).body;
      expect(before.sourcePolicy).toMatchObject({
        verifyBeforeAccept: true,
        directFiling: true,
        awaitingVerification: true,
      });
      expect(before.allowedActions).toContain('accept');
      const bare = await call('operator', 'POST', `/api/v1/cases/${id}/accept`, { version: before.version });
      expect(bare.status).toBe(400);
      expect(JSON.stringify(bare.body)).toContain('reason');
      const unchanged = (await call('operator', 'GET', `/api/v1/cases/${id}`)).body;
      expect(unchanged).toMatchObject({ status: 'reported', version: before.version });
      const filed = await call('operator', 'POST', `/api/v1/cases/${id}/accept`, {
        version: before.version,
        reason: '照片清晰可辨',
      });
      expect(filed.status).toBe(200);
      expect(filed.body.status).toBe('filed');
      expect(filed.body.sourcePolicy.awaitingVerification).toBe(true);
      const entry = filed.body.timeline.find((e: { action: string }) => e.action === 'accept');
      expect(entry.data).toMatchObject({ unverified: true, reason: '照片清晰可辨' });
    });

    it('refuses an unknown case and lists nothing out of scope', async () => {
      expect((await call('operator', 'GET', '/api/v1/cases/999999/inspectors')).status).toBe(404);
      expect((await call('operator', 'GET', '/api/v1/cases/1/inspectors?limit=0')).status).toBe(400);
    });
  },
);
