/**
 * What makes a notification (docs/channels.md "Notifications"):
 * - a task dispatched → the department's handlers;
 * - a 督办 → the area's leaders;
 * - a red (critical) alarm → the officer on duty for the area (the duty roster, 值班; the area's
 *   operators when nobody is on shift);
 * - escalation, by a sweep: a task not signed for (签收) within `signWithinMinutes` → the
 *   department head (or the leaders of the department's area); a red alarm not acknowledged
 *   within `alarmAckMinutes` → the next person on duty (or the area's leaders when the roster has
 *   nobody after the first).
 *
 * The outbox is read from a durable cursor (`notify_cursor`, the (xid, id) order of the outbox
 * tail's safe pass), and the notifications of a batch commit with the cursor: an event is turned
 * into notifications once, whatever restarts in between. Runs once per deployment (scheduler).
 */
import type { Db, Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { notifyRepository } from './notify.repository.ts';
import type { NotifyService } from './notify.service.ts';

/** Who is on duty for an area now, first the one on duty, then the next (the duty roster). */
export type DutyNow = (q: Queryable, areaCode: string) => Promise<number[]>;

export interface TriggerOptions {
  signWithinMinutes: number;
  alarmAckMinutes: number;
}

const topics = ['case.dispatch', 'case.auto-dispatch', 'case.supervise', 'alarm.raised'];

interface Ev {
  id: number;
  xid: string;
  topic: string;
  areaCode: string | null;
  payload: Record<string, unknown>;
}

export function notifyTriggers(deps: {
  db: Db;
  log: Logger;
  clock: () => Date;
  notify: NotifyService;
  dutyNow?: DutyNow | undefined;
  options: TriggerOptions;
}) {
  const { db, notify, clock, options } = deps;

  /** The roster for an area; an area code the roster does not know (an AppError, before any SQL) has none. */
  async function roster(q: Queryable, areaCode: string): Promise<number[]> {
    if (!deps.dutyNow) return [];
    try {
      return await deps.dutyNow(q, areaCode);
    } catch (e) {
      if (e instanceof AppError) return [];
      throw e;
    }
  }

  async function onDuty(q: Queryable, areaCode: string): Promise<number[]> {
    const onShift = await roster(q, areaCode);
    return onShift.length ? onShift : notifyRepository(q).nearestOfRole('operator', areaCode);
  }

  async function caseRow(q: Queryable, id: number) {
    const r = await q.query<{
      department: string | null;
      description: string;
      number: string;
      area: string;
      status: string;
    }>(
      `SELECT department_code AS department, description, number, area_code AS area, status
         FROM cases WHERE id = $1`,
      [id],
    );
    return r.rows[0];
  }

  async function handle(tx: Queryable, e: Ev) {
    const repo = notifyRepository(tx);
    const p = e.payload;
    if (e.topic === 'case.dispatch' || e.topic === 'case.auto-dispatch') {
      const c = await caseRow(tx, Number(p.id));
      // A task that has moved on (signed for, handled, closed — or history loaded by the demo)
      // is no news to the department by the time the event is read.
      if (!c?.department || c.status !== 'dispatched') return;
      await notify.tell(tx, {
        userIds: await repo.departmentHandlers(c.department),
        kind: 'task.dispatched',
        title: `新任务 ${c.number}`,
        body: `案件 ${c.number} 已派遣至本部门：${c.description.slice(0, 80)}`,
        link: `#/cases/${p.id}`,
        object: `case:${p.id}`,
        areaCode: c.area,
        dedupeKey: `task.dispatched:case:${p.id}:v${p.version}`,
      });
    } else if (e.topic === 'case.supervise') {
      const c = await caseRow(tx, Number(p.id));
      if (!c || ['closed', 'rejected', 'merged'].includes(c.status)) return;
      await notify.tell(tx, {
        userIds: await repo.nearestOfRole('leader', c.area),
        kind: 'case.supervised',
        title: `督办 ${c.number}`,
        body: `案件 ${c.number} 已督办：${c.description.slice(0, 80)}`,
        link: `#/cases/${p.id}`,
        object: `case:${p.id}`,
        areaCode: c.area,
        dedupeKey: `case.supervised:case:${p.id}:v${p.version}`,
      });
    } else if (e.topic === 'alarm.raised' && p.severity === 'critical' && e.areaCode) {
      const who = await onDuty(tx, e.areaCode);
      await notify.tell(tx, {
        userIds: who.slice(0, 1),
        kind: 'alarm.red',
        title: `红色报警：${String(p.ruleName ?? p.deviceId ?? '')}`.trim(),
        body: `设备 ${String(p.deviceName ?? p.deviceId ?? '')} 报警，请立即确认处置`,
        link: '#/iot',
        object: `alarm:${p.id}`,
        areaCode: e.areaCode,
        dedupeKey: `alarm.red:alarm:${p.id}`,
      });
    }
  }

  /** Reads the outbox on from the cursor; returns how many events were looked at. */
  async function consume(): Promise<number> {
    return db.transaction(async (tx) => {
      let cur = (
        await tx.query<{ xid: string; id: string }>(
          "SELECT xid::text AS xid, id::text AS id FROM notify_cursor WHERE name = 'outbox' FOR UPDATE",
        )
      ).rows[0];
      const horizon = (
        await tx.query<{ x: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS x')
      ).rows[0]!.x;
      if (!cur) {
        // First start: what is already in the outbox is history, not news.
        await tx.query("INSERT INTO notify_cursor (name, xid, id) VALUES ('outbox', $1::xid8, 0)", [horizon]);
        return 0;
      }
      const { rows } = await tx.query<Ev>(
        `SELECT id::bigint AS id, xid::text AS xid, topic, area_code AS "areaCode", payload FROM outbox
          WHERE xid < $1::xid8 AND (xid, id) > ($2::xid8, $3::bigint)
          ORDER BY xid, id LIMIT 200`,
        [horizon, cur.xid, cur.id],
      );
      for (const e of rows) {
        if (topics.includes(e.topic)) await handle(tx, e);
        cur = { xid: e.xid, id: String(e.id) };
      }
      if (rows.length)
        await tx.query("UPDATE notify_cursor SET xid = $1::xid8, id = $2 WHERE name = 'outbox'", [
          cur.xid,
          cur.id,
        ]);
      return rows.length;
    });
  }

  /** Escalations due now; each is told once (dedupe keys). Returns how many people were told. */
  async function escalate(): Promise<number> {
    const now = clock();
    let told = 0;
    const unsigned = await db.query<{
      id: number;
      number: string;
      department: string;
      seq: number;
      area: string;
    }>(
      `SELECT c.id::int AS id, c.number, c.department_code AS department, e.seq, c.area_code AS area
         FROM cases c
         JOIN LATERAL (SELECT seq, at FROM case_events
                        WHERE case_id = c.id AND action IN ('dispatch', 'auto-dispatch')
                        ORDER BY seq DESC LIMIT 1) e ON true
        WHERE c.status = 'dispatched' AND c.department_code IS NOT NULL AND e.at <= $1`,
      [new Date(now.getTime() - options.signWithinMinutes * 60_000)],
    );
    for (const c of unsigned.rows) {
      told += await db.transaction(async (tx) => {
        const repo = notifyRepository(tx);
        const dep = await repo.departmentHead(c.department);
        const who = dep?.head ? [dep.head] : await repo.nearestOfRole('leader', dep?.areaCode ?? c.area);
        return notify.tell(tx, {
          userIds: who,
          kind: 'escalation.unsigned',
          title: `超时未签收 ${c.number}`,
          body: `案件 ${c.number} 派遣后 ${options.signWithinMinutes} 分钟内未签收，请督促部门处理`,
          link: `#/cases/${c.id}`,
          object: `case:${c.id}`,
          areaCode: c.area,
          dedupeKey: `escalation.unsigned:case:${c.id}:${c.seq}`,
        });
      });
    }
    const alarms = await db.query<{ id: number; area: string; device: string }>(
      `SELECT a.id::int AS id, a.area_code AS area, a.device_id AS device FROM alarms a
        WHERE a.severity = 'critical' AND NOT a.acknowledged AND NOT a.cleared
          AND a.area_code IS NOT NULL AND a.raised_at <= $1`,
      [new Date(now.getTime() - options.alarmAckMinutes * 60_000)],
    );
    for (const a of alarms.rows) {
      told += await db.transaction(async (tx) => {
        const roster = deps.dutyNow ? await deps.dutyNow(tx, a.area) : [];
        const who =
          roster.length > 1 ? roster.slice(1, 2) : await notifyRepository(tx).nearestOfRole('leader', a.area);
        return notify.tell(tx, {
          userIds: who,
          kind: 'escalation.alarm',
          title: '红色报警无人确认',
          body: `设备 ${a.device} 的红色报警 ${options.alarmAckMinutes} 分钟内无人确认，请立即处置`,
          link: '#/iot',
          object: `alarm:${a.id}`,
          areaCode: a.area,
          dedupeKey: `escalation.alarm:alarm:${a.id}`,
        });
      });
    }
    return told;
  }

  let running: Promise<number> | undefined;
  return {
    consume,
    escalate,
    /** Consumes the outbox until caught up, then escalates (one pass at a time). */
    pass(): Promise<number> {
      running ??= (async () => {
        let n = 0;
        while ((await consume()) > 0) n++;
        return n + (await escalate());
      })().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}
export type NotifyTriggers = ReturnType<typeof notifyTriggers>;
