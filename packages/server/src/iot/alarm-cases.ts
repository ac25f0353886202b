/**
 * Alarm → case: 自动识别、自动派单、人力处置、自动结案.
 *
 * - An alarm raised by a rule with a case category files a case through the case engine (source
 *   'iot', so it is accepted and dispatched by the system where the matrix has a rule), or joins
 *   the open case of the same device and category: a flapping sensor means one case.
 * - When every alarm of the case has cleared and stayed clear for the rule's `auto_close_after_s`,
 *   the system checks (`verify {passed: true}`) and closes the case — once a department has
 *   handled it. Recovered but not yet handled: a note on the timeline, and the close follows the
 *   handling. Rules with `close_needs_inspector` leave the check to the grid inspector.
 *
 * The work list is in the database (`alarms.case_checked`, `alarm_case_links.state`), so a
 * restart loses nothing: a loop reconciles it every few seconds, and a raised alarm nudges it at
 * once so the case is filed and dispatched within a second. Several servers may run it: the
 * report is idempotent per alarm and every action carries the case version.
 */
import { reasonInChinese } from '@onegrid/domain';
import type { CaseService } from '../cases/case.service.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { AlarmService } from './alarm.service.ts';

export interface AlarmCases {
  /** One pass: file cases for new alarms, then close recovered ones. Resolves when done. */
  reconcile(): Promise<{ filed: number; linked: number; closed: number; noted: number }>;
  close(): Promise<void>;
}

const caller = { system: true as const, name: '物联感知' };

interface TodoAlarm {
  id: number;
  device_id: string;
  device_name: string;
  rule_name: string;
  severity: string;
  category: string;
  urgency: string | null;
  lng: number | null;
  lat: number | null;
  last_value: unknown;
  detail: Record<string, unknown> | null;
  raised_at: Date;
  metrics: { key: string; name_zh?: string }[] | null;
}

interface LinkState {
  case_id: number;
  state: 'open' | 'recovered';
  status: string;
  version: number;
  all_cleared: boolean;
  last_cleared: Date | null;
  hold_s: number;
  needs_inspector: boolean;
}

const fmt = (v: unknown) => (typeof v === 'number' ? String(Math.round(v * 100) / 100) : JSON.stringify(v));

/** The case's description, in Chinese: the metric by its Chinese name, flags as 是/否 (issue 18). */
function describe(a: TodoAlarm): string {
  const names = new Map((a.metrics ?? []).map((m) => [m.key, m.name_zh ?? m.key]));
  const name = (k: string) => names.get(k) ?? k;
  const reason = typeof a.detail?.reason === 'string' ? `（${reasonInChinese(a.detail.reason, name)}）` : '';
  const value = typeof a.last_value === 'boolean' ? (a.last_value ? '是' : '否') : fmt(a.last_value);
  return `物联感知告警 #${a.id}：${a.rule_name} — 设备 ${a.device_name}，当前值 ${value}${reason}`;
}

export function startAlarmCases(d: {
  db: Db;
  log: Logger;
  clock: () => Date;
  alarms: AlarmService;
  cases: Pick<CaseService, 'report' | 'act' | 'get'>;
  /** How often the loop looks at recovered alarms (default 5 s). */
  intervalMs?: number;
}): AlarmCases {
  const { db, clock } = d;
  const log = d.log.child({ category: 'alarm-cases' });
  let running: Promise<Awaited<ReturnType<AlarmCases['reconcile']>>> | undefined;
  let closed = false;

  async function markChecked(alarmId: number, caseId: number | null, error: string | null) {
    await db.query(
      'UPDATE alarms SET case_checked = true, case_id = coalesce($2, case_id), case_error = $3 WHERE id = $1',
      [alarmId, caseId, error],
    );
  }

  async function link(caseId: number, deviceId: string, state: 'open' | 'released') {
    await db.query(
      `INSERT INTO alarm_case_links (case_id, device_id, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (case_id) DO UPDATE SET
         state = CASE WHEN alarm_case_links.state IN ('closed', 'released') THEN alarm_case_links.state
                      ELSE EXCLUDED.state END,
         updated_at = EXCLUDED.updated_at`,
      [caseId, deviceId, state, clock()],
    );
  }

  async function setState(caseId: number, state: string, note: string | null) {
    await db.query(
      'UPDATE alarm_case_links SET state = $2, note = coalesce($3, note), updated_at = $4 WHERE case_id = $1',
      [caseId, state, note, clock()],
    );
  }

  /** Comments on the timeline; never fails the pass (a note is not worth an error). */
  async function comment(caseId: number, note: string) {
    try {
      const c = await d.cases.get(caseId, caller);
      await d.cases.act(caseId, 'comment', caller, { version: c.version, note });
    } catch (e) {
      log.debug({ err: e, caseId }, 'comment skipped');
    }
  }

  async function openCaseOf(deviceId: string, category: string): Promise<number | undefined> {
    const r = await db.query<{ id: number }>(
      `SELECT id::int AS id FROM cases WHERE device_id = $1 AND category_code = $2
         AND status NOT IN ('closed', 'rejected', 'merged') ORDER BY id LIMIT 1`,
      [deviceId, category],
    );
    return r.rows[0]?.id;
  }

  async function fileOne(a: TodoAlarm): Promise<'filed' | 'linked' | 'failed'> {
    const existing = await openCaseOf(a.device_id, a.category);
    if (existing !== undefined) {
      await markChecked(a.id, existing, null);
      await link(existing, a.device_id, 'open');
      await comment(existing, `关联物联感知告警 #${a.id}: ${a.rule_name}（同一设备、同一类别，并入本案）`);
      log.info({ alarmId: a.id, caseId: existing }, 'alarm joined the open case of its device');
      return 'linked';
    }
    if (a.lng === null || a.lat === null) {
      await markChecked(a.id, null, 'the device has no location');
      log.warn({ alarmId: a.id, deviceId: a.device_id }, 'no case for the alarm: the device has no location');
      return 'failed';
    }
    try {
      const r = await d.cases.report(
        {
          category: a.category,
          description: describe(a),
          location: { lng: a.lng, lat: a.lat, crs: 'wgs84' },
          source: 'iot',
          urgency: a.urgency === 'urgent' ? 'urgent' : 'normal',
          deviceId: a.device_id,
          externalIds: { alarmId: String(a.id) },
          // A retry after a crash between the report and the link answers with the same case.
          idempotencyKey: `alarm-${a.id}`,
        },
        caller,
      );
      // Merged by the engine into a nearby open case (another sensor saw the same flood): the
      // alarm belongs to that case, which closes when all its alarms have recovered.
      const c =
        r.case.status === 'merged' && r.case.mergedInto
          ? await d.cases.get(r.case.mergedInto, caller)
          : r.case;
      await markChecked(a.id, c.id, null);
      await link(
        c.id,
        a.device_id,
        ['closed', 'rejected', 'merged'].includes(c.status) ? 'released' : 'open',
      );
      log.info({ alarmId: a.id, caseId: c.id, number: c.number, status: c.status }, 'alarm filed a case');
      return 'filed';
    } catch (e) {
      if (e instanceof AppError && e.status < 500) {
        // Unknown category, outside the city…: configuration, not a fault of the moment.
        await markChecked(a.id, null, e.message);
        log.warn({ alarmId: a.id, err: e.message }, 'no case for the alarm');
        return 'failed';
      }
      throw e;
    }
  }

  async function fileNew(): Promise<{ filed: number; linked: number }> {
    const todo = await db.query<TodoAlarm>(
      `SELECT a.id::int AS id, a.device_id, dv.name AS device_name, r.name AS rule_name, a.severity,
              r.case_category AS category, r.case_urgency AS urgency,
              ST_X(dv.location) AS lng, ST_Y(dv.location) AS lat, a.last_value, a.detail, a.raised_at,
              (SELECT t.metrics FROM device_types t WHERE t.id = dv.type_id) AS metrics
         FROM alarms a JOIN rules r ON r.id = a.rule_id JOIN devices dv ON dv.id = a.device_id
        WHERE NOT a.case_checked AND NOT a.cleared AND r.case_category IS NOT NULL
        ORDER BY a.id LIMIT 200`,
    );
    let filed = 0;
    let linked = 0;
    for (const a of todo.rows) {
      if (closed) break;
      try {
        const r = await fileOne(a);
        if (r === 'filed') filed++;
        else if (r === 'linked') linked++;
      } catch (e) {
        // Database away or a race: the alarm stays unchecked and the next pass retries.
        log.warn({ err: e, alarmId: a.id }, 'filing a case for the alarm failed; will retry');
      }
    }
    return { filed, linked };
  }

  async function closeRecovered(): Promise<{ closed: number; noted: number }> {
    const now = clock();
    const rows = await db.query<LinkState>(
      `SELECT l.case_id::int AS case_id, l.state, c.status, c.version,
              bool_and(a.cleared) AS all_cleared, max(a.cleared_at) AS last_cleared,
              max(r.auto_close_after_s)::int AS hold_s, bool_or(r.close_needs_inspector) AS needs_inspector
         FROM alarm_case_links l
         JOIN cases c ON c.id = l.case_id
         JOIN alarms a ON a.case_id = l.case_id
         JOIN rules r ON r.id = a.rule_id
        WHERE l.state IN ('open', 'recovered')
        GROUP BY l.case_id, l.state, c.status, c.version
        LIMIT 500`,
    );
    let closedN = 0;
    let noted = 0;
    for (const l of rows.rows) {
      if (closed) break;
      try {
        if (['closed', 'rejected', 'merged'].includes(l.status)) {
          await setState(l.case_id, 'released', `the case was ${l.status} by a person`);
          continue;
        }
        if (!l.all_cleared || !l.last_cleared) {
          if (l.state === 'recovered') await setState(l.case_id, 'open', null);
          continue;
        }
        const clearFor = (now.getTime() - new Date(l.last_cleared).getTime()) / 1000;
        if (clearFor < l.hold_s) continue;
        if (l.needs_inspector) {
          await comment(l.case_id, `设备已恢复正常并持续 ${l.hold_s} 秒；该类事项需监督员现场核查后结案`);
          await setState(l.case_id, 'inspector', 'recovered; the rule needs an inspector');
          noted++;
          continue;
        }
        if (l.status === 'handled' || l.status === 'checked') {
          let version = l.version;
          if (l.status === 'handled') {
            const v = await d.cases.act(l.case_id, 'verify', caller, {
              version,
              passed: true,
              note: `设备已恢复正常并持续 ${l.hold_s} 秒，系统自动核查通过`,
            });
            version = v.version;
          }
          await d.cases.act(l.case_id, 'close', caller, { version, note: '物联感知自动结案' });
          await setState(l.case_id, 'closed', null);
          log.info({ caseId: l.case_id }, 'the device recovered: case checked and closed by the system');
          closedN++;
        } else if (l.state === 'open') {
          await comment(l.case_id, `设备已恢复正常（${l.hold_s} 秒无告警）；待处置反馈后系统自动核查结案`);
          await setState(l.case_id, 'recovered', null);
          noted++;
        }
      } catch (e) {
        if (e instanceof AppError && e.code === 'stale_version') continue; // someone acted: next pass
        if (e instanceof AppError && e.status < 500) {
          // The machine says the system may not (e.g. merged into a case from the public).
          await setState(l.case_id, 'released', e.message);
          log.info({ caseId: l.case_id, err: e.message }, 'the system leaves the case to people');
          continue;
        }
        log.warn({ err: e, caseId: l.case_id }, 'closing a recovered case failed; will retry');
      }
    }
    return { closed: closedN, noted };
  }

  async function pass() {
    const f = await fileNew();
    const c = await closeRecovered();
    return { ...f, ...c };
  }

  type PassResult = Awaited<ReturnType<AlarmCases['reconcile']>>;
  let queued: Promise<PassResult> | undefined;
  function reconcile(): Promise<PassResult> {
    if (closed) return Promise.resolve({ filed: 0, linked: 0, closed: 0, noted: 0 });
    if (running) {
      // A pass is under way: one more follows it, so nothing raised meanwhile waits an interval.
      queued ??= running.then(() => {
        queued = undefined;
        return reconcile();
      });
      return queued;
    }
    running = pass()
      .catch((e) => {
        log.warn({ err: e }, 'alarm → case pass failed');
        return { filed: 0, linked: 0, closed: 0, noted: 0 };
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  const off = d.alarms.onChange((c) => {
    if (c.kind === 'raised' && !closed) void reconcile();
  });
  const timer = setInterval(() => void reconcile(), d.intervalMs ?? 5000);
  timer.unref();
  // Catch up at once with whatever a previous process left.
  void reconcile();

  return {
    reconcile,
    async close() {
      closed = true;
      off();
      clearInterval(timer);
      await queued;
      await running;
    },
  };
}
