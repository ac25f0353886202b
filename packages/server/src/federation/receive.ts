/**
 * The exchange's inbound side: `POST /api/v1/federation/messages`. The sender is known by its key
 * id (X-OneGrid-Key) and proven by the Ed25519 signature over the raw body; a message is applied
 * once (inbox by message id; a repeat gets the first answer) and in order per stream (seq must be
 * the next one, else 409 and the sender tries again later). The answer 200 `{ ok: true }` is given
 * only once the effect is committed: what we acknowledge, we keep.
 */

import type { AttachmentService } from '../attachments/attachment.service.ts';
import { caseRepository } from '../cases/case.repository.ts';
import type { Caller, CaseService } from '../cases/case.service.ts';
import type { Db, Queryable } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import { type Envelope, federationRepository, type LinkRow } from './federation.repository.ts';
import { signatureOf, verify } from './keys.ts';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const fail = (status: number, code: string, message: string): Answer => ({
  status,
  body: { ok: false, error: { code, message } },
});

/** A timeline entry written from the linked platform's message (no transition here). */
export async function remoteEntry(
  tx: Queryable,
  caseId: number,
  at: Date,
  note: string,
  data: Record<string, string | number | boolean | null>,
): Promise<void> {
  const repo = caseRepository(tx);
  const row = await repo.get(caseId);
  if (!row) return;
  await repo.addEvent(
    caseId,
    {
      action: 'remote',
      actorId: 'federation',
      actorRole: 'system',
      at,
      fromStatus: row.status as never,
      toStatus: row.status as never,
      fromPending: null,
      toPending: null,
      note,
      photos: [],
      location: null,
      data,
    },
    [],
    String(data.peer ?? 'federation'),
  );
}

function isEnvelope(x: unknown): x is Envelope {
  const e = x as Envelope;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.v === 1 &&
    typeof e.id === 'string' &&
    /^[0-9a-f-]{36}$/.test(e.id) &&
    typeof e.type === 'string' &&
    typeof e.from === 'string' &&
    typeof e.to === 'string' &&
    typeof e.stream === 'string' &&
    Number.isInteger(e.seq) &&
    e.seq > 0 &&
    typeof e.sentAt === 'string' &&
    typeof e.body === 'object' &&
    e.body !== null
  );
}

export interface ReceiveDeps {
  db: Db;
  log: Logger;
  clock: () => Date;
  cases: CaseService;
  attachments: AttachmentService;
}

export function receiver(deps: ReceiveDeps) {
  const { db, cases } = deps;
  const repo = federationRepository(db);
  const system = (link: LinkRow): Caller => ({ system: true, name: `federation:${link.name}` });

  /** 上报 from below: a case here (source `lower-platform`) with the lower one's timeline, photos, deadline. */
  async function handUp(link: LinkRow, e: Envelope): Promise<Record<string, unknown>> {
    const b = e.body as {
      caseId: number;
      number: string;
      category: string;
      urgency?: 'normal' | 'urgent';
      description: string;
      address?: string | null;
      location: { lng: number; lat: number };
      reason?: string | null;
      deadline?: unknown;
      timeline?: {
        at: string;
        action: string;
        actor?: string | null;
        toStatus?: string;
        note?: string | null;
      }[];
      photos?: { mime: string; data: string }[];
    };
    const known = await repo.localCase(link.id, b.caseId);
    if (known) {
      // Handed up again after a hand-down: the same case here, one more entry on its timeline.
      await db.transaction(async (tx) => {
        await remoteEntry(
          tx,
          known,
          new Date(e.sentAt),
          `${link.name} 再次上报 ${b.number}：${b.reason ?? ''}`,
          {
            peer: link.name,
            remoteAction: 'hand-up',
            remoteNumber: b.number,
          },
        );
        await federationRepository(tx).remember(e, link.id, { caseId: known });
      });
      const row = await caseRepository(db).get(known);
      return { caseId: known, number: row?.number ?? null };
    }
    const photos: string[] = [];
    for (const p of b.photos ?? []) {
      const stored = await deps.attachments.store(Buffer.from(p.data, 'base64'), {
        id: `federation:${link.name}`,
        scopeCode: link.areaCode ?? '',
      });
      photos.push(stored.id);
    }
    const made = await cases.report(
      {
        category: b.category,
        description: b.description,
        location: b.location,
        address: b.address ?? undefined,
        source: 'lower-platform',
        urgency: b.urgency,
        photos,
        idempotencyKey: `federation:${e.id}`,
        reporterName: link.name,
        externalIds: { lowerPlatform: b.number },
      },
      system(link),
    );
    const id = made.case.id;
    await db.transaction(async (tx) => {
      const f = federationRepository(tx);
      if (await f.inboxEntry(link.id, e.id)) return;
      await f.linkCase({
        linkId: link.id,
        caseId: id,
        role: 'received',
        remoteCaseId: b.caseId,
        remoteNumber: b.number,
        remoteDeadline: b.deadline ?? null,
      });
      for (const t of b.timeline ?? []) {
        await remoteEntry(
          tx,
          id,
          new Date(t.at),
          `${link.name} ${b.number}：${t.action}${t.toStatus ? ` → ${t.toStatus}` : ''}${t.note ? `（${t.note}）` : ''}${t.actor ? ` · ${t.actor}` : ''}`,
          {
            peer: link.name,
            remoteAction: t.action,
            remoteNumber: b.number,
          },
        );
      }
      await remoteEntry(tx, id, new Date(e.sentAt), `${link.name} 上报：${b.reason ?? ''}`, {
        peer: link.name,
        remoteAction: 'hand-up',
        remoteNumber: b.number,
      });
      await f.remoteStatus(link.id, id, 'handed-up', b.deadline ?? null);
      await f.remember(e, link.id, { caseId: id, number: made.case.number });
    });
    return { caseId: id, number: made.case.number };
  }

  /** 下派 from above: the case here goes back to dispatch (or to the named department). */
  async function handDown(link: LinkRow, e: Envelope): Promise<Record<string, unknown>> {
    const b = e.body as { caseId: number; note?: string | null; departmentCode?: string | null };
    const id = await repo.localCase(link.id, b.caseId);
    if (!id)
      return Promise.reject(
        Object.assign(new Error(`case ${b.caseId} is not known here yet`), { retry: true }),
      );
    const row = await caseRepository(db).get(id);
    if (row?.status === 'handed-up') {
      await cases.act(id, 'hand-down', system(link), {
        version: row.version,
        idempotencyKey: `federation:${e.id}`,
        ...(b.departmentCode ? { departmentCode: b.departmentCode } : {}),
        ...(b.note ? { note: b.note } : {}),
      });
    }
    await db.transaction(async (tx) => {
      const f = federationRepository(tx);
      if (await f.inboxEntry(link.id, e.id)) return;
      await remoteEntry(tx, id, new Date(e.sentAt), `${link.name} 下派${b.note ? `：${b.note}` : ''}`, {
        peer: link.name,
        remoteAction: 'hand-down',
      });
      await f.remember(e, link.id, { caseId: id });
    });
    return { caseId: id };
  }

  /** A later step on the other side: an entry on our timeline, the other side's status kept. */
  async function status(link: LinkRow, e: Envelope): Promise<Record<string, unknown>> {
    const b = e.body as {
      caseId: number;
      number: string;
      action: string;
      fromStatus: string | null;
      toStatus: string;
      at: string;
      actor?: string | null;
      note?: string | null;
      deadline?: unknown;
    };
    const id = await repo.localCase(link.id, b.caseId);
    if (!id)
      return Promise.reject(
        Object.assign(new Error(`case ${b.caseId} is not known here yet`), { retry: true }),
      );
    await db.transaction(async (tx) => {
      const f = federationRepository(tx);
      await remoteEntry(
        tx,
        id,
        new Date(b.at),
        `${link.name} ${b.number}：${b.action} ${b.fromStatus ?? ''} → ${b.toStatus}${b.note ? `（${b.note}）` : ''}${b.actor ? ` · ${b.actor}` : ''}`,
        { peer: link.name, remoteAction: b.action, remoteStatus: b.toStatus, remoteNumber: b.number },
      );
      await f.remoteStatus(link.id, id, b.toStatus, b.deadline);
      await f.remember(e, link.id, { caseId: id });
    });
    return { caseId: id };
  }

  async function figures(link: LinkRow, e: Envelope): Promise<Record<string, unknown>> {
    const b = e.body as { areaCode?: string; at?: string };
    await db.transaction(async (tx) => {
      const f = federationRepository(tx);
      await f.saveFigures(link.id, b.areaCode ?? link.areaCode ?? '', e.body, new Date(b.at ?? e.sentAt));
      await f.remember(e, link.id, {});
    });
    return {};
  }

  const handlers: Record<string, (link: LinkRow, e: Envelope) => Promise<Record<string, unknown>>> = {
    'case.hand-up': handUp,
    'case.hand-down': handDown,
    'case.status': status,
    figures,
  };

  return {
    async receive(headers: Record<string, string | string[] | undefined>, raw: Buffer): Promise<Answer> {
      const keyId = typeof headers['x-onegrid-key'] === 'string' ? headers['x-onegrid-key'] : '';
      const signature = signatureOf(
        typeof headers['x-onegrid-signature'] === 'string' ? headers['x-onegrid-signature'] : undefined,
      );
      const link = keyId ? await repo.linkByPeerKey(keyId) : undefined;
      if (!link?.peerPublicKey || !signature || !verify(link.peerPublicKey, raw, signature)) {
        return fail(401, 'bad_signature', 'Unknown key or a signature that does not verify');
      }
      if (!link.active) return fail(403, 'link_inactive', 'This link is switched off here');
      let e: unknown;
      try {
        e = JSON.parse(raw.toString('utf8'));
      } catch {
        return fail(400, 'bad_envelope', 'The body is not JSON');
      }
      if (!isEnvelope(e) || e.from !== keyId || e.to !== link.keyId) {
        return fail(
          400,
          'bad_envelope',
          'Not an envelope for this link (v, id, type, from, to, stream, seq, sentAt, body)',
        );
      }
      const handler = handlers[e.type];
      if (!handler) return fail(400, 'unknown_type', `Unknown message type ${e.type}`);
      const seen = await repo.inboxEntry(link.id, e.id);
      if (seen) return { status: 200, body: { ok: true, id: e.id, duplicate: true, result: seen.result } };
      const last = await repo.lastSeq(link.id, e.stream);
      if (e.seq !== last + 1) {
        return fail(409, 'out_of_order', `Stream ${e.stream} expects seq ${last + 1}, got ${e.seq}`);
      }
      try {
        const result = await handler(link, e);
        return { status: 200, body: { ok: true, id: e.id, duplicate: false, result } };
      } catch (err) {
        // A delivery racing its own retry: the first one's answer.
        const again = await repo.inboxEntry(link.id, e.id);
        if (again)
          return { status: 200, body: { ok: true, id: e.id, duplicate: true, result: again.result } };
        if ((err as { retry?: boolean }).retry) return fail(409, 'not_ready', (err as Error).message);
        deps.log.warn(
          { err, category: 'federation', link: link.id, message: e.id },
          'federation message failed',
        );
        const status = (err as { statusCode?: number }).statusCode;
        return fail(status && status < 500 ? 422 : 500, 'not_applied', (err as Error).message);
      }
    },
  };
}
