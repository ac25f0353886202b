/**
 * Assessment over HTTP against a hand-computed fixture: eight cases driven through the real loop
 * with a controlled clock on Monday 2026-11-23 (period P1 = that Shanghai day), one of them
 * finished on Tuesday (P2). Every figure below is worked out by hand in the comments.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparisonPeriod } from '../src/assessment/assessment.service.ts';
import type { Server } from '../src/server.ts';
import { makeLoopCity, square } from './case-fixture.ts';
import { openTestDb, type TestDb, testEngine } from './db-harness.ts';
import { login, testServer } from './http-harness.ts';

type Body = Record<string, unknown> & { id: number; version: number };
interface Aspects {
  aspects: Record<string, number | null>;
  indicators: Record<string, number | null>;
  score: number | null;
  grade: string | null;
}
interface Row {
  subject: string;
  name: string;
  counters: Record<string, number>;
  rates: Record<string, number | null>;
  score: number | null;
  grade: string | null;
  rank: number | null;
  previous?: { score: number | null } | null;
  delta?: { score: number | null } | null;
}

describe(`assessment over HTTP on ${testEngine}`, () => {
  let t: TestDb;
  let server: Server;
  let users: Awaited<ReturnType<typeof makeLoopCity>>;
  const tokens: Record<string, string> = {};
  let now = new Date('2026-11-23T02:00:00Z');
  /** Monday (Shanghai) hh:mm. */
  const mon = (hhmm: string) => new Date(`2026-11-23T${hhmm}:00+08:00`);
  const tue = (hhmm: string) => new Date(`2026-11-24T${hhmm}:00+08:00`);
  const P1 = 'from=2026-11-23&to=2026-11-24';
  const P2 = 'from=2026-11-24&to=2026-11-25';
  const ids: Record<string, number> = {};

  const call = async (user: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${tokens[user]}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: res.statusCode, body: res.json(), raw: res };
  };
  const at = (d: Date) => {
    now = d;
  };
  const jpeg = Buffer.concat([
    Buffer.from([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00,
      0x01, 0x00, 0x00,
    ]),
    Buffer.alloc(2000, 7),
    Buffer.from([0xff, 0xd9]),
  ]);
  /** Uploads a photo as `user` and returns its id. */
  const photo = async (user: string): Promise<string> => {
    const boundary = '----onegrid-assessment';
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/attachments',
      headers: {
        authorization: `Bearer ${tokens[user]}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload: Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
        ),
        jpeg,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    });
    if (res.statusCode !== 201) throw new Error(`upload: ${res.body}`);
    return res.json().id;
  };
  /** Sessions last 12 h of the controlled clock: log in again after a jump. */
  const loginAll = async () => {
    for (const u of ['insp', 'op', 'disp', 'lhsr', 'szgl', 'boss', 'xh-op', 'root'])
      tokens[u] = await login(server, u);
  };
  const cases: Record<string, Body> = {};
  const act = async (user: string, key: string, action: string, body: Record<string, unknown> = {}) => {
    const c = cases[key] as Body;
    const r = await call(user, 'POST', `/api/v1/cases/${c.id}/${action}`, { version: c.version, ...body });
    if (r.status !== 200) throw new Error(`${key} ${action}: ${r.status} ${JSON.stringify(r.body)}`);
    cases[key] = r.body;
    return r.body as Body;
  };
  const report = async (user: string, key: string, extra: Record<string, unknown> = {}) => {
    const r = await call(user, 'POST', '/api/v1/cases', {
      category: '06012',
      description: `道路不洁 ${key}`,
      location: { lng: square.lng + 0.0003, lat: square.lat + 0.0003 },
      ...extra,
    });
    if (r.status !== 201) throw new Error(`report ${key}: ${r.status} ${JSON.stringify(r.body)}`);
    cases[key] = r.body;
    ids[key] = r.body.id;
  };
  const assess = async (q: string, user = 'boss') => {
    const r = await call(user, 'GET', `/api/v1/assessment?${q}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { rows: Row[]; gradeColours: Record<string, string> };
  };
  const row = (rows: Row[], subject: string | number) => {
    const r = rows.find((x) => x.subject === String(subject));
    if (!r) throw new Error(`no row ${subject} in ${rows.map((x) => x.subject).join(', ')}`);
    return r;
  };

  beforeAll(async () => {
    t = await openTestDb();
    users = await makeLoopCity(t.db);
    await t.db.exec(`
      INSERT INTO duty_grids (code, name, street_code, district_code)
        VALUES ('310101002901', '云南中路责任网格', '310101002', '310101');
      UPDATE unit_grids SET duty_grid_code = '310101002901' WHERE community_code = '310101002001';
      INSERT INTO duty_grid_inspectors (duty_grid_code, user_id) VALUES ('310101002901', ${users.inspector});
      UPDATE geo_revision SET revision = revision + 1;`);
    // The controlled clock jumps hours between steps: sessions end by the 12 h limit here
    // (loginAll after a jump), not by the 30 idle minutes.
    server = await testServer(t.db, () => now, { sessionIdleMinutes: 12 * 60 });
    await server.geo.refresh({ force: true });
    await loginAll();

    // A: on time all the way, closed normal on Monday.
    at(mon('10:00'));
    for (const k of ['A', 'B', 'C', 'D', 'E', 'G', 'H']) await report('insp', k);
    at(mon('10:00'));
    await report('op', 'F', { source: 'hotline', reporterName: '市民', reporterContact: '13812345678' });
    at(mon('10:05'));
    await act('op', 'A', 'accept');
    await act('op', 'C', 'accept');
    await act('op', 'D', 'accept');
    await act('op', 'G', 'accept');
    await act('op', 'E', 'merge', { targetCaseId: ids.A });
    await act('op', 'F', 'verify-report', { inspectorId: users.inspector });
    await act('insp', 'H', 'self-handle', { photos: [await photo('insp')] });
    at(mon('10:10'));
    await act('disp', 'A', 'dispatch');
    await act('disp', 'C', 'dispatch', { departmentCode: '310101-szgl' });
    await act('disp', 'G', 'dispatch');
    await act('op', 'D', 'reject', { reason: '重复立案，作废' });
    at(mon('10:20'));
    await act('insp', 'F', 'confirm-report', { confirmed: true });
    await act('szgl', 'C', 'return', { reason: '不属于本部门' });
    await act('lhsr', 'G', 'request-suspension', { reason: '等待施工' });
    at(mon('10:25'));
    await act('op', 'F', 'accept');
    await act('disp', 'C', 'approve-return');
    await act('disp', 'G', 'approve-suspension');
    at(mon('10:30'));
    await act('disp', 'C', 'dispatch', { departmentCode: '310101-lhsr' });
    await act('lhsr', 'A', 'accept-task');
    await act('lhsr', 'A', 'handle', { note: '已清扫', photos: [await photo('lhsr')] });
    at(mon('10:40'));
    await act('insp', 'A', 'verify', { passed: true });
    at(mon('10:45'));
    await act('op', 'A', 'close');
    // B: filed late (70 min, limit 60), dispatched 11:15 so due Monday 17:15 (45 min before
    // lunch + 4 h 15 from 13:00), handled late at 23:00, reworked, finished on Tuesday (P2).
    at(mon('11:10'));
    await act('op', 'B', 'accept');
    at(mon('11:15'));
    await act('disp', 'B', 'dispatch');
    await act('lhsr', 'B', 'accept-task');
    at(mon('23:00'));
    await loginAll();
    await act('lhsr', 'B', 'handle', { note: '已清扫', photos: [await photo('lhsr')] });
    at(mon('23:10'));
    await act('insp', 'B', 'verify', { passed: false, note: '未清理干净' });
    at(tue('10:00'));
    await loginAll();
    await act('lhsr', 'B', 'handle', { note: '再次清扫', photos: [await photo('lhsr')] });
    at(tue('10:10'));
    await act('insp', 'B', 'verify', { passed: true });
    at(tue('10:20'));
    await act('op', 'B', 'close');
    at(tue('18:00'));
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('scores the inspector: reported 7, filed 5, one missed public report, verify and checks on time', async () => {
    const r = row((await assess(`${P1}&level=inspector`)).rows, users.inspector);
    expect(r.counters).toEqual({
      reported: 7, // A B C D E G H (F came from the hotline)
      filed: 5, // A B C D G (E merged, H self-handled)
      missed: 1, // F: a confirmed hotline report in the inspector's grid
      verifyDue: 1,
      verifyOnTime: 1, // F confirmed 15 min after being sent (limit 30)
      checkDue: 2,
      checkOnTime: 2, // A 10 min, B 10 min after handling
    });
    expect(r.rates.validReport).toBeCloseTo(5 / 7, 10);
    expect(r.rates.missedReport).toBe(0.2);
    // 71.43×.4 + 80×.2 + 100×.2 + 100×.2 = 84.57
    expect(r.score).toBe(84.57);
    expect(r.grade).toBe('B');
  });

  it('scores the operator (受理员) and the shift lead (值班长)', async () => {
    const o = row((await assess(`${P1}&level=operator`)).rows, users.operator);
    // accept A B C D F G, reject D, merge E, verify-report F
    expect(o.counters).toMatchObject({
      volume: 9,
      verifyDispatched: 1,
      verifyDispatchedOnTime: 1,
      checkDispatched: 0,
    });
    expect(o.rates.checkDispatch).toBeNull();
    // (0×.25 + 100×.4) / .65 — check-dispatch has nothing to judge
    expect(o.score).toBe(61.54);
    const s = row((await assess(`${P1}&level=shiftLead`)).rows, users.operator);
    expect(s.counters).toEqual({
      filed: 6,
      filingDue: 6,
      filedOnTime: 5,
      voided: 1,
      closed: 1,
      closedOnTime: 1,
    });
    // 83.33×.25 + 83.33×.4 + 100×.35 = 89.17
    expect(s.score).toBe(89.17);
  });

  it('scores the dispatcher: a returned dispatch counts against accuracy', async () => {
    const d = row((await assess(`${P1}&level=dispatcher`)).rows, users.dispatcher);
    // A, B, C (to 市政), C again (to 绿化市容), G
    expect(d.counters).toEqual({ dispatched: 5, dispatchDue: 5, dispatchedOnTime: 5, returned: 1 });
    expect(d.rates.accurateDispatch).toBe(0.8);
    // 0×.2 + 100×.4 + 80×.4 = 72
    expect(d.score).toBe(72);
    expect(d.grade).toBe('C');
  });

  it('scores departments: late handling, rework, an overdue open case, a suspended case left out', async () => {
    const rows = (await assess(`${P1}&level=department`)).rows;
    const l = row(rows, '310101-lhsr');
    expect(l.name).toBe('黄浦区绿化市容局');
    expect(l.counters).toEqual({
      cases: 4, // A B C G dispatched to it
      closed: 1, // A
      handled: 2, // A on time, B late
      handledOnTime: 1,
      reworks: 1, // B
      openOverdue: 1, // C: due Monday, still unhandled; G is suspended, its clock paused
      dueToClose: 2,
      dueToHandle: 3,
    });
    expect(l.rates).toEqual({ closing: 0.5, onTimeHandling: 1 / 3, rework: 0.5 });
    // 100×.1 + 50×.3 + 33.33×.3 + 50×.3 = 50
    expect(l.score).toBe(50);
    expect(l.grade).toBe('D');
    const s = row(rows, '310101-szgl');
    expect(s.counters.cases).toBe(1);
    expect(s.score).toBe(100); // only the case count can be judged
    expect(s.rank).toBe(1);
    expect(l.rank).toBe(2);
  });

  it('scores areas from grid up, quiet grids counted in the filed-count score but not scored alone', async () => {
    const grids = (await assess(`${P1}&level=grid`)).rows;
    expect(grids).toHaveLength(4);
    const g = row(grids, '310101002001002');
    expect(g.counters).toMatchObject({
      reported: 8,
      filed: 6,
      publicConfirmed: 1,
      dispatched: 5,
      closed: 2, // A closed, H self-handled
      closedOnTime: 2,
      openOverdue: 1,
      dueToClose: 3,
      selfHandled: 1,
      rejected: 1,
      returns: 1,
      reworks: 1,
      suspensions: 1,
    });
    // (1 − 1/6)×100×.1 + 60×.2 (class A, 6 filed) + 66.67×.3 + 100×.4 = 80.33
    expect(g.score).toBe(80.33);
    // A grid with no case has no data: unscored and unranked (issue 18), not first with 100.
    expect(row(grids, '310101002001001')).toMatchObject({ score: null, grade: null, rank: null });
    expect(g.rank).toBe(1);
    const community = row((await assess(`${P1}&level=community`)).rows, '310101002001');
    // filed-count score = mean(100, 60, 100, 100) = 90 → 8.33 + 18 + 20 + 40
    expect(community.score).toBe(86.33);
    const districts = (await assess(`${P1}&level=district`)).rows;
    expect(row(districts, '310101')).toMatchObject({ name: '黄浦区', score: 86.33, grade: 'B', rank: 1 });
    expect(row(districts, '310104')).toMatchObject({ score: null, grade: null, rank: null });
  });

  it('counts a case spanning periods in the period of each step, and compares periods', async () => {
    const closeType = (await call('boss', 'GET', `/api/v1/cases/${ids.B}`)).body.closeType;
    const r = await assess(`${P2}&level=grid&compare=previous`);
    const g = row(r.rows, '310101002001002');
    expect(g.counters).toMatchObject({
      reported: 0,
      filed: 0,
      closed: 1,
      closedOnTime: closeType === 'overdue' ? 0 : 1,
    });
    expect(g.previous?.score).toBe(80.33);
    expect(g.delta?.score).toBe(Math.round(((g.score ?? 0) - 80.33) * 100) / 100);
    const lead = row((await assess(`${P2}&level=shiftLead`)).rows, users.operator);
    expect(lead.counters).toMatchObject({ filed: 0, closed: 1 });
    const last = await assess(`${P1}&level=district&compare=lastYear`);
    // A year earlier nothing was filed: no data, so no score and no difference.
    expect(row(last.rows, '310101').previous?.score).toBeNull();
    expect(row(last.rows, '310101').delta?.score).toBeNull();
  });

  it('sums a grid up under the four aspects (发现与监督 / 指挥与协调 / 综合监督 / 运行机制)', async () => {
    const r = (await assess(`${P1}&level=grid`)) as unknown as {
      rows: (Row & { aspects: Aspects })[];
      summary: Aspects & { previous: Aspects | null };
    };
    const g = row(r.rows, '310101002001002') as Row & { aspects: Aspects };
    expect(g.counters).toMatchObject({
      verifyDue: 1, // F sent for verification, confirmed in 15 min
      verifyOnTime: 1,
      checkDue: 2, // A, and B's first check (which failed: rework)
      checkOnTime: 2,
      filingDue: 6, // A B C D F G
      filedOnTime: 5, // B filed after 70 min
      voided: 1, // D
      dispatchDue: 5,
      dispatchedOnTime: 5,
      handled: 2, // A on time, B late
      handledOnTime: 1,
    });
    expect(g.aspects.indicators).toMatchObject({
      selfFound: 83.33, // 1 − 1/6
      onTimeVerify: 100,
      onTimeCheck: 100,
      onTimeFiling: 83.33,
      accurateFiling: 83.33, // (6 − 1) ÷ 6
      onTimeDispatch: 100,
      accurateDispatch: 80, // (5 − 1 returned) ÷ 5
      closing: 66.67, // 2 ÷ (2 + 1 overdue open)
      onTimeHandling: 33.33, // 1 ÷ (2 handled + 1 overdue open)
      onTimeClosing: 100,
      rework: 66.67, // 1 − 1/3
      filedCount: 60, // class A, 6 filed
      extension: 100,
      suspension: 80, // G suspended: 1 − 1/5
    });
    // discovery 83.33×.4 + 100×.3 + 100×.3 = 93.33; command (83.33 + 83.33 + 100 + 80)/4 = 86.67
    // supervision 66.67×.3 + 33.33×.3 + 100×.2 + 66.67×.2 = 63.33; mechanism 60×.5 + 100×.25 + 80×.25 = 75
    expect(g.aspects.aspects).toEqual({
      discovery: 93.33,
      command: 86.67,
      supervision: 63.33,
      mechanism: 75,
    });
    // (93.33 + 86.67 + 63.33 + 75) / 4 = 79.58
    expect(g.aspects).toMatchObject({ score: 79.58, grade: 'B' });
    // The scope's summary: the same counters (the other grids are quiet), filed-count the mean of
    // 100, 60, 100, 100 = 90 → mechanism 45 + 25 + 20 = 90; (93.33 + 86.67 + 63.33 + 90) / 4 = 83.33.
    expect(r.summary).toMatchObject({
      aspects: { discovery: 93.33, command: 86.67, supervision: 63.33, mechanism: 90 },
      score: 83.33,
      previous: null,
    });
    expect((row(r.rows, '310101002001001') as Row & { aspects: Aspects }).aspects).toMatchObject({
      score: null,
      aspects: { discovery: null, mechanism: null },
    });
    const people = await call('boss', 'GET', `/api/v1/assessment?${P1}&level=department`);
    expect(people.body.summary).toBeNull();
  });

  it('compares with the period before and the same period last year at once, ranks included', async () => {
    const r = (await assess(`${P2}&level=district&compare=both`)) as unknown as {
      rows: (Row & {
        lastYear: { score: number | null } | null;
        delta: { score: number | null; rank: number | null };
        lastYearDelta: { score: number | null };
      })[];
      previousFrom: string;
      lastYearFrom: string;
      lastYearTo: string;
      summary: { score: number; previous: { score: number }; lastYear: { score: number } };
    };
    expect(r.previousFrom).toBe('2026-11-22T16:00:00.000Z'); // Monday, Shanghai
    expect(r.lastYearFrom).toBe('2025-11-23T16:00:00.000Z');
    expect(r.lastYearTo).toBe('2025-11-24T16:00:00.000Z');
    const d = row(r.rows, '310101') as (typeof r.rows)[number];
    expect(d.previous?.score).toBe(86.33); // P1, worked out above
    expect(d.lastYear?.score).toBeNull(); // a year earlier: nothing filed, no data (not 100)
    expect(d.delta.score).toBe(Math.round(((d.score ?? 0) - 86.33) * 100) / 100);
    expect(d.lastYearDelta.score).toBeNull();
    expect(d.delta.rank).toBe(0); // first both days
    expect(r.summary.previous.score).toBe(83.33);
    expect(r.summary.lastYear.score).toBeNull();
    const bad = await call('boss', 'GET', `/api/v1/assessment?${P2}&level=district&compare=always`);
    expect(bad.status).toBe(400);
    // A calendar month compares with the calendar month before, whatever its length.
    const march = { from: new Date('2026-02-28T16:00:00Z'), to: new Date('2026-03-31T16:00:00Z') };
    expect(comparisonPeriod(march, 'previous')).toEqual({
      from: new Date('2026-01-31T16:00:00Z'),
      to: march.from,
    });
    const q3 = { from: new Date('2026-06-30T16:00:00Z'), to: new Date('2026-09-30T16:00:00Z') };
    expect(comparisonPeriod(q3, 'previous').from).toEqual(new Date('2026-03-31T16:00:00Z'));
    expect(comparisonPeriod(q3, 'lastYear').from).toEqual(new Date('2025-06-30T16:00:00Z'));
  });

  it('gives figures that agree with each other at every area level (issue 18)', async () => {
    type Full = Row & {
      aspects: Aspects;
      lastYear: { score: number | null } | null;
      lastYearDelta: { score: number | null } | null;
    };
    const mean = (a: Record<string, number | null>) => {
      const xs = Object.values(a).filter((x): x is number => x !== null);
      return xs.length ? Math.round((xs.reduce((x, y) => x + y, 0) / xs.length) * 100) / 100 : null;
    };
    const sums: Record<string, Record<string, number>> = {};
    for (const level of ['grid', 'community', 'street', 'district'] as const) {
      for (const q of [P1, P2]) {
        const r = (await assess(`${q}&level=${level}&compare=both`)) as unknown as {
          rows: Full[];
          summary: Aspects & { previous: Aspects | null; lastYear: Aspects | null };
        };
        // The composite is its parts: the mean of the aspects with data (default weights are equal).
        expect(r.summary.score).toBe(mean(r.summary.aspects));
        for (const x of [r.summary.previous, r.summary.lastYear])
          if (x) expect(x.score).toBe(mean(x.aspects));
        // Ranks follow scores (1, 2, 2, 4); rows without data are unranked and never compared.
        const ranked = r.rows.filter((x) => x.score !== null);
        for (const [i, x] of ranked.entries()) {
          const better = ranked.filter((y) => (y.score ?? 0) > (x.score ?? 0)).length;
          expect(x.rank, `${level} ${x.subject}`).toBe(better + 1);
          if (i > 0) expect(x.score).toBeLessThanOrEqual(ranked[i - 1]?.score ?? 100);
        }
        for (const x of r.rows) {
          expect(x.aspects.score, `${level} ${x.subject}`).toBe(mean(x.aspects.aspects));
          if (x.score === null) {
            expect(x).toMatchObject({ rank: null, grade: null });
            expect(x.delta?.score ?? null).toBeNull();
            expect(x.lastYearDelta?.score ?? null).toBeNull();
            // No data at all: no aspect is scored either (no composite of one indicator).
            expect(x.aspects.score).toBeNull();
          }
          // A difference is this period's score minus the other's, and only where both exist.
          const prev = x.previous?.score ?? null;
          expect(x.delta?.score ?? null).toBe(
            x.score !== null && prev !== null ? Math.round((x.score - prev) * 100) / 100 : null,
          );
          const ly = x.lastYear?.score ?? null;
          expect(x.lastYearDelta?.score ?? null).toBe(
            x.score !== null && ly !== null ? Math.round((x.score - ly) * 100) / 100 : null,
          );
        }
        // Every level counts the same cases: sums of the counters agree from grid to district.
        const total: Record<string, number> = {};
        for (const x of r.rows)
          for (const k of ['reported', 'filed', 'closed', 'dispatched', 'handled'])
            total[k] = (total[k] ?? 0) + (x.counters[k] ?? 0);
        if (sums[q]) expect(total, `${level} ${q}`).toEqual(sums[q]);
        else sums[q] = total;
      }
    }
  });

  it('opens the cases behind a figure', async () => {
    const drill = async (q: string) => {
      const r = await call('boss', 'GET', `/api/v1/assessment/cases?${P1}&${q}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return (r.body.items as { id: number }[]).map((x) => x.id).sort((a, b) => a - b);
    };
    expect(await drill('level=department&subject=310101-lhsr&indicator=reworks')).toEqual([ids.B]);
    expect(await drill('level=department&subject=310101-lhsr&indicator=openOverdue')).toEqual([ids.C]);
    expect(await drill('level=grid&subject=310101002001002&indicator=filed')).toEqual(
      [ids.A, ids.B, ids.C, ids.D, ids.F, ids.G].sort((a, b) => (a ?? 0) - (b ?? 0)),
    );
    expect(await drill(`level=dispatcher&subject=${users.dispatcher}&indicator=returned`)).toEqual([ids.C]);
    expect(await drill(`level=shiftLead&subject=${users.operator}&indicator=voided`)).toEqual([ids.D]);
    const bad = await call(
      'boss',
      'GET',
      `/api/v1/assessment/cases?${P1}&level=grid&subject=x&indicator=nope`,
    );
    expect(bad.status).toBe(400);
  });

  it('scopes to the caller and refuses other roles', async () => {
    expect((await assess(`${P1}&level=district`, 'xh-op')).rows.map((r) => r.subject)).toEqual(['310104']);
    expect((await call('xh-op', 'GET', `/api/v1/assessment?${P1}&level=grid&area=310101`)).status).toBe(403);
    expect((await call('lhsr', 'GET', `/api/v1/assessment?${P1}&level=grid`)).status).toBe(403);
    expect(
      (await call('boss', 'GET', '/api/v1/assessment?from=2026-11-24&to=2026-11-23&level=grid')).status,
    ).toBe(400);
  });

  it('exports CSV and an Excel workbook with Chinese headers', async () => {
    const res = await server.app.inject({
      method: 'GET',
      url: `/api/v1/assessment/export.csv?${P1}&level=department`,
      headers: { authorization: `Bearer ${tokens.boss}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const header = lines[0]?.split(',') ?? [];
    expect(header.slice(0, 5)).toEqual(['排名', '编码', '名称', '得分', '等级']);
    expect(header).toContain('返工数');
    expect(header).toContain('按时处置率(%)');
    const lhsr = lines.map((l) => l.split(',')).find((cells) => cells[1] === '310101-lhsr') ?? [];
    expect(lhsr[2]).toBe('黄浦区绿化市容局');
    expect(lhsr[3]).toBe('50');
    expect(lhsr[header.indexOf('返工数')]).toBe('1');
    expect(lhsr[header.indexOf('按时处置率(%)')]).toBe('33.33');

    const x = await server.app.inject({
      method: 'GET',
      url: `/api/v1/assessment/export.xlsx?${P1}&level=grid&compare=previous`,
      headers: { authorization: `Bearer ${tokens.op}` },
    });
    expect(x.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('单元网格');
    if (!ws) throw new Error('no sheet 单元网格');
    const head = (ws.getRow(1).values as unknown[]).slice(1);
    expect(head.slice(0, 5)).toEqual(['排名', '编码', '名称', '得分', '等级']);
    expect(head).toContain('公众举报属实数');
    expect(head).toContain('对比期得分');
    const values = [2, 3, 4, 5].map((i) => (ws.getRow(i).values as unknown[]).slice(1));
    const g = values.find((v) => v[1] === '310101002001002') ?? [];
    expect(g[3]).toBe(80.33);
    expect(g[4]).toBe('B');
    expect(g[head.indexOf('立案数')]).toBe(6);
    expect(wb.getWorksheet('说明')).toBeTruthy();
    expect((await call('lhsr', 'GET', `/api/v1/assessment/export.xlsx?${P1}&level=grid`)).status).toBe(403);
  });

  it('draws empty-grid spot checks reproducibly and counts finds as missed reports', async () => {
    const draw = (seed: string) =>
      call('op', 'POST', '/api/v1/assessment/spot-checks', {
        from: '2026-11-23',
        to: '2026-11-24',
        sampleSize: 2,
        seed,
      });
    const a = await draw('2026-11-audit');
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body.emptyGrids).toBe(3); // 001, 003, 004: grid 002 had reports
    const b = await draw('2026-11-audit');
    const grids = (x: typeof a) => x.body.checks.map((c: { unitGridCode: string }) => c.unitGridCode);
    expect(grids(b)).toEqual(grids(a));
    expect(grids(a)).toHaveLength(2);
    expect(grids(a)).not.toContain('310101002001002');
    expect(a.body.checks[0]).toMatchObject({
      inspectorId: users.inspector,
      status: 'open',
      seed: '2026-11-audit',
    });

    const mine = await call('insp', 'GET', '/api/v1/assessment/spot-checks?status=open');
    expect(mine.body.items).toHaveLength(2); // the second draw returned the same two tasks
    expect(b.body.checks.map((c: { id: number }) => c.id)).toEqual(
      a.body.checks.map((c: { id: number }) => c.id),
    );
    const other = await draw('another-seed');
    expect(other.body.checks).toHaveLength(2);
    const id = a.body.checks[0].id;
    const found = await call('insp', 'POST', `/api/v1/assessment/spot-checks/${id}/result`, { found: true });
    expect(found.body).toMatchObject({ status: 'found' });
    expect(
      (await call('insp', 'POST', `/api/v1/assessment/spot-checks/${id}/result`, { found: false })).status,
    ).toBe(409);
    await call('insp', 'POST', `/api/v1/assessment/spot-checks/${a.body.checks[1].id}/result`, {
      found: false,
    });

    const r = row((await assess(`${P1}&level=inspector`)).rows, users.inspector);
    expect(r.counters.missed).toBe(2); // F + the spot-check find
    expect(r.rates.missedReport).toBe(0.4);
    // 71.43×.4 + 60×.2 + 100×.2 + 100×.2 = 80.57
    expect(r.score).toBe(80.57);
  });
});
