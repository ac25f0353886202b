/**
 * The 12345 hotline connector. An order comes in with the hotline's number, text, address (or a
 * point), the caller (masked here, at once: the hotline keeps the full contact), a category or
 * none (guessed from the text) and the hotline's deadline. It opens a case (source `hotline`) —
 * or joins the open case of the same category within the duplicate radius and window
 * (@onegrid/domain duplicates options) — and is idempotent on the order number, under retries
 * and concurrent deliveries alike. Status goes back as outbox events that webhooks deliver,
 * signed: `hotline.accepted` (受理), `hotline.returned` (退单, with the reason), `hotline.extended`
 * (延期), `hotline.finished` (办结, with the result and photos). 回访 results come in per order.
 */
import {
  defaultDuplicateOptions,
  hotlineEventOf,
  maskName,
  maskPhone,
  satisfactionRate,
  type VisitResult,
} from '@onegrid/domain';
import { recordServiceAccess } from '../audit/audit.ts';
import type { Principal } from '../auth/auth.service.ts';
import type { AppliedStep, CaseService } from '../cases/case.service.ts';
import type { Db, Queryable } from '../db/db.ts';
import { AppError, notFound } from '../errors.ts';
import { emit } from '../events/outbox.ts';
import type { GeocodeService } from '../geo/geocode.service.ts';
import type { Logger } from '../logger.ts';

const caller = { system: true as const, name: '12345热线' };

export interface OrderInput {
  orderNo: string;
  receivedAt: string;
  content: string;
  address?: string | undefined;
  location?: { lng: number; lat: number; crs?: 'wgs84' | 'gcj02' | 'bd09' } | undefined;
  caller?: { name?: string | undefined; phone?: string | undefined } | undefined;
  category?: string | undefined;
  urgency?: 'normal' | 'urgent' | undefined;
  dueAt?: string | undefined;
}

export interface OrderRow {
  orderNo: string;
  caseId: number;
  caseNumber: string;
  caseStatus: string;
  joined: boolean;
  receivedAt: string;
  dueAt: string | null;
  category: string;
  areaCode: string;
  callerName: string | null;
  callerPhone: string | null;
  status: string;
  visitResult: string | null;
  visitNote: string | null;
}

const orderColumns = `o.order_no AS "orderNo", o.case_id::int AS "caseId", c.number AS "caseNumber",
  c.status AS "caseStatus", o.joined, o.received_at AS "receivedAt", o.due_at AS "dueAt", o.category,
  o.area_code AS "areaCode", o.caller_name AS "callerName", o.caller_phone AS "callerPhone", o.status,
  o.visit_result AS "visitResult", o.visit_note AS "visitNote"`;

async function getOrder(q: Queryable, orderNo: string): Promise<OrderRow | undefined> {
  const r = await q.query<OrderRow>(
    `SELECT ${orderColumns} FROM hotline_orders o JOIN cases c ON c.id = o.case_id WHERE o.order_no = $1`,
    [orderNo],
  );
  const o = r.rows[0];
  return o
    ? {
        ...o,
        receivedAt: new Date(o.receivedAt).toISOString(),
        dueAt: o.dueAt ? new Date(o.dueAt).toISOString() : null,
      }
    : undefined;
}

export function hotlineService(d: {
  db: Db;
  log: Logger;
  clock: () => Date;
  cases: Pick<CaseService, 'report' | 'act' | 'get' | 'onApplied'>;
  geocode: Pick<GeocodeService, 'geocode'>;
}) {
  const { db, clock } = d;
  const log = d.log.child({ category: 'hotline' });
  const inFlight = new Map<string, Promise<{ order: OrderRow; replayed: boolean }>>();

  // Status back to the hotline: in the transaction of the case step, so what is done is told.
  d.cases.onApplied(async (tx, step: AppliedStep) => {
    const event = hotlineEventOf(step.action);
    if (!event) return;
    const orders = await tx.query<{ orderNo: string; areaCode: string }>(
      'SELECT order_no AS "orderNo", area_code AS "areaCode" FROM hotline_orders WHERE case_id = $1',
      [step.row.id],
    );
    for (const o of orders.rows) {
      const data: Record<string, unknown> = {
        id: o.orderNo,
        orderNo: o.orderNo,
        caseNumber: step.row.number,
        status: step.next.status,
        at: step.now.toISOString(),
      };
      if (event === 'hotline.returned') data.reason = step.entry.note ?? '';
      if (event === 'hotline.extended')
        data.dueAt = (step.next as { deadline?: { dueAt?: string } }).deadline?.dueAt ?? null;
      if (event === 'hotline.finished') {
        const h = await tx.query<{ note: string | null; photos: string[] }>(
          `SELECT note, photos FROM case_events WHERE case_id = $1 AND action = 'handle' ORDER BY seq DESC LIMIT 1`,
          [step.row.id],
        );
        data.result = h.rows[0]?.note ?? step.entry.note ?? '';
        data.photos = (h.rows[0]?.photos ?? []).map((p) => `/api/v1/attachments/${p}`);
      }
      await tx.query('UPDATE hotline_orders SET status = $2 WHERE order_no = $1', [
        o.orderNo,
        event.slice(8),
      ]);
      await emit(tx, event, o.areaCode, data);
    }
  });

  async function guessCategory(text: string): Promise<string | undefined> {
    const r = await db.query<{ code: string }>(
      `SELECT code FROM categories WHERE kind = 'event' AND active AND length(code) = 5
         AND $1 LIKE '%' || name || '%' ORDER BY length(name) DESC, code LIMIT 1`,
      [text],
    );
    return r.rows[0]?.code;
  }

  /** The open case of the same category near the point, within the duplicate window (joined, not filed twice). */
  async function openDuplicate(
    category: string,
    lng: number,
    lat: number,
    at: Date,
  ): Promise<number | undefined> {
    const r = await db.query<{ id: number }>(
      `SELECT id::int AS id FROM cases
        WHERE category_code = $1 AND status NOT IN ('closed', 'rejected', 'merged') AND created_at >= $5
          AND ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography, $4)
        ORDER BY geom <-> ST_SetSRID(ST_MakePoint($2, $3), 4326) LIMIT 1`,
      [
        category,
        lng,
        lat,
        defaultDuplicateOptions.radiusMeters,
        new Date(at.getTime() - defaultDuplicateOptions.windowMinutes * 60_000),
      ],
    );
    return r.rows[0]?.id;
  }

  async function file(input: OrderInput, account: { clientId: string; scopeCode: string }) {
    const known = await getOrder(db, input.orderNo);
    if (known) return { order: known, replayed: true };
    const receivedAt = new Date(input.receivedAt);
    let location = input.location;
    let address = input.address ?? null;
    if (!location) {
      if (!input.address)
        throw new AppError('validation_failed', 'Give an address or a location', { field: 'address' });
      const best = (await d.geocode.geocode(input.address, { limit: 1 }))[0];
      if (!best)
        throw new AppError('validation_failed', `The address "${input.address}" was not found`, {
          field: 'address',
        });
      location = { lng: best.lng, lat: best.lat, crs: 'wgs84' };
      address = best.text;
    }
    const category = input.category ?? (await guessCategory(input.content));
    if (!category)
      throw new AppError('validation_failed', 'No category given and none recognised in the content', {
        field: 'category',
      });
    const callerName = maskName(input.caller?.name ?? null);
    const callerPhone = maskPhone(input.caller?.phone ?? null);
    const dup =
      location.crs && location.crs !== 'wgs84'
        ? undefined
        : await openDuplicate(category, location.lng, location.lat, clock());
    let caseId: number;
    let joined = false;
    if (dup !== undefined) {
      caseId = dup;
      joined = true;
    } else {
      const r = await d.cases.report(
        {
          category,
          description: `12345 工单 ${input.orderNo}：${input.content}`,
          location,
          ...(address ? { address } : {}),
          source: 'hotline',
          urgency: input.urgency ?? 'normal',
          ...(callerName ? { reporterName: callerName } : {}),
          ...(callerPhone ? { reporterContact: callerPhone } : {}),
          externalIds: { hotlineOrderNo: input.orderNo },
          idempotencyKey: `hotline-${input.orderNo}`,
        },
        caller,
      );
      caseId = r.case.status === 'merged' && r.case.mergedInto ? r.case.mergedInto : r.case.id;
    }
    const c = await d.cases.get(caseId, caller);
    await db.transaction(async (tx) => {
      const ins = await tx.query(
        `INSERT INTO hotline_orders (order_no, case_id, joined, received_at, due_at, content, address, caller_name,
           caller_phone, category, area_code, account)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (order_no) DO NOTHING`,
        [
          input.orderNo,
          caseId,
          joined,
          receivedAt,
          input.dueAt ? new Date(input.dueAt) : null,
          input.content,
          address,
          callerName,
          callerPhone,
          category,
          c.areaCode,
          account.clientId,
        ],
      );
      if (ins.rowCount === 0) return; // another delivery of the same order won the race
      await recordServiceAccess(tx, {
        account: account.clientId,
        route: 'POST /api/v1/hotline/orders',
        object: `hotline:${input.orderNo}`,
        details: { caseId, joined },
      });
      // Joined to a case already accepted: 受理 at once (a new case says so when it is accepted).
      if (joined && !['reported'].includes(c.status)) {
        await emit(tx, 'hotline.accepted', c.areaCode, {
          id: input.orderNo,
          orderNo: input.orderNo,
          caseNumber: c.number,
          status: c.status,
          joined: true,
          at: clock().toISOString(),
        });
        await tx.query("UPDATE hotline_orders SET status = 'accepted' WHERE order_no = $1", [input.orderNo]);
      }
    });
    if (joined) log.info({ orderNo: input.orderNo, caseId }, 'hotline order joined an open case');
    return { order: (await getOrder(db, input.orderNo))!, replayed: false };
  }

  return {
    /** Files the order once: concurrent deliveries of one order number share one filing. */
    receive(input: OrderInput, account: { clientId: string; scopeCode: string }) {
      const running = inFlight.get(input.orderNo);
      if (running) return running.then((r) => ({ ...r, replayed: true }));
      const p = file(input, account)
        .catch(async (e: unknown) => {
          // Another process filed the same order at the same moment: answer with its filing.
          const won = await getOrder(db, input.orderNo);
          if (won) return { order: won, replayed: true };
          throw e;
        })
        .finally(() => inFlight.delete(input.orderNo));
      inFlight.set(input.orderNo, p);
      return p;
    },
    async get(orderNo: string, scopeCode: string): Promise<OrderRow> {
      const o = await getOrder(db, orderNo);
      if (!o || !o.areaCode.startsWith(scopeCode)) throw notFound('order', orderNo);
      return o;
    },
    async visit(
      orderNo: string,
      body: { result: VisitResult; note?: string | undefined },
      scopeCode: string,
    ) {
      const o = await this.get(orderNo, scopeCode);
      await db.transaction(async (tx) => {
        await tx.query(
          'UPDATE hotline_orders SET visit_result = $2, visit_note = $3, visited_at = $4 WHERE order_no = $1',
          [orderNo, body.result, body.note ?? null, clock()],
        );
      });
      const names = { satisfied: '满意', basically: '基本满意', unsatisfied: '不满意' } as const;
      try {
        const c = await d.cases.get(o.caseId, caller);
        await d.cases.act(o.caseId, 'comment', caller, {
          version: c.version,
          note: `12345 回访（工单 ${orderNo}）：${names[body.result]}${body.note ? `，${body.note}` : ''}`,
        });
      } catch (e) {
        log.debug({ err: e, orderNo }, 'visit comment skipped');
      }
      return this.get(orderNo, scopeCode);
    },
    /** 满意率 of the visits in [from, to) within an area. */
    async satisfaction(q: { from: Date; to: Date; area: string }) {
      const r = await db.query<{ result: VisitResult; n: number }>(
        `SELECT visit_result AS result, count(*)::int AS n FROM hotline_orders
          WHERE visit_result IS NOT NULL AND visited_at >= $1 AND visited_at < $2 AND area_code LIKE $3 || '%'
          GROUP BY visit_result`,
        [q.from, q.to, q.area],
      );
      const counts = Object.fromEntries(r.rows.map((x) => [x.result, x.n])) as Partial<
        Record<VisitResult, number>
      >;
      return { counts, visits: r.rows.reduce((a, x) => a + x.n, 0), rate: satisfactionRate(counts) };
    },
    /** 404 unless the person may see the case. */
    async caseInScope(caseId: number, p: Principal): Promise<void> {
      await d.cases.get(caseId, p);
    },
    /** The orders of a case (shown on the case). */
    async ofCase(caseId: number) {
      const r = await db.query<OrderRow>(
        `SELECT ${orderColumns} FROM hotline_orders o JOIN cases c ON c.id = o.case_id WHERE o.case_id = $1 ORDER BY o.received_at`,
        [caseId],
      );
      return r.rows.map((o) => ({
        ...o,
        receivedAt: new Date(o.receivedAt).toISOString(),
        dueAt: o.dueAt ? new Date(o.dueAt).toISOString() : null,
      }));
    },
  };
}
export type HotlineService = ReturnType<typeof hotlineService>;
