/**
 * What this instance sends: a hand-up (上报) to the platform above when a case is handed up to
 * the higher platform, every later step of a linked case to the other side, a hand-down (下派)
 * of a case that came from below, and this level's figures. Everything is queued in the
 * transaction of the change (federation_outbox) and sent by the delivery job.
 */
import type { AttachmentRow, AttachmentService } from '../attachments/attachment.service.ts';
import { caseRepository } from '../cases/case.repository.ts';
import type { AppliedStep } from '../cases/case.service.ts';
import type { Db, Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { federationRepository, type LinkRow } from './federation.repository.ts';
import { remoteEntry } from './receive.ts';

const streamOf = (caseId: number) => `case:${caseId}`;

function deadlineOf(step: Pick<AppliedStep, 'next'>) {
  const d = Object.entries(step.next.deadlines ?? {}).find(([, v]) => v && !v.completedAt && !v.cancelled);
  return d ? { step: d[0], dueAt: d[1]!.dueAt, pausedAt: d[1]!.pausedAt ?? null } : null;
}

export function outbound({
  db,
  attachments,
  nudge,
}: {
  db: Db;
  attachments: AttachmentService;
  nudge: () => void;
}) {
  /** The hand-up message: the case, its timeline, its photos (bytes), its running deadline. */
  async function handUpBody(tx: Queryable, step: AppliedStep) {
    const row = step.row;
    const timeline = await caseRepository(tx).timeline(row.id);
    // Read through the transaction (PGlite has one connection: a query beside it would wait forever).
    const files = (
      await tx.query<AttachmentRow>(
        `SELECT id, mime, path FROM attachments WHERE case_id = $1 ORDER BY created_at`,
        [row.id],
      )
    ).rows;
    const photos: { mime: string; data: string }[] = [];
    for (const a of files)
      photos.push({ mime: a.mime, data: (await attachments.read(a)).toString('base64') });
    return {
      caseId: row.id,
      number: row.number,
      category: row.categoryCode,
      urgency: row.urgency,
      description: row.description,
      address: row.address,
      location: { lng: row.lng, lat: row.lat },
      areaCode: row.areaCode,
      source: row.source,
      reportedAt: row.createdAt,
      reason: (step.entry.note ?? step.entry.data.reason ?? null) as string | null,
      deadline: deadlineOf(step),
      // Up to the step before this hand-up (the hand-up itself is the message).
      timeline: timeline.slice(0, -1).map((t) => ({
        at: t.at,
        action: t.action,
        actor: t.actorName,
        fromStatus: t.fromStatus,
        toStatus: t.toStatus,
        note: t.note,
      })),
      photos,
    };
  }

  /** The case hook: runs inside every applied step's transaction. */
  async function onApplied(tx: Queryable, step: AppliedStep): Promise<void> {
    const f = federationRepository(tx);
    const linked = await f.casesOf(step.row.id);
    let queued = false;
    const handingUp = step.action === 'hand-up' && step.entry.data.target === 'higher-platform';
    const up = handingUp ? await f.upLink() : undefined;
    for (const l of linked) {
      if (up && l.linkId === up.id) continue; // the hand-up below carries this step
      const link = await f.link(l.linkId);
      if (!link?.active) continue;
      await f.enqueue(
        link,
        'case.status',
        streamOf(step.row.id),
        {
          caseId: step.row.id,
          number: step.row.number,
          action: step.action,
          fromStatus: step.fromStatus,
          toStatus: step.next.status,
          at: step.now.toISOString(),
          actor: step.actorName,
          note: step.entry.note,
          deadline: deadlineOf(step),
        },
        step.now,
      );
      queued = true;
    }
    if (up) {
      await f.enqueue(up, 'case.hand-up', streamOf(step.row.id), await handUpBody(tx, step), step.now);
      await f.linkCase({ linkId: up.id, caseId: step.row.id, role: 'sent' });
      queued = true;
    }
    if (queued) setImmediate(nudge);
  }

  return {
    onApplied,

    /** 下派: a case that came from below goes back down, with a note (and a department, if named). */
    async handDown(
      caseId: number,
      by: string,
      input: { note?: string | undefined; departmentCode?: string | undefined },
      now: Date,
    ) {
      await db.transaction(async (tx) => {
        const f = federationRepository(tx);
        const received = (await f.casesOf(caseId)).filter((l) => l.role === 'received');
        if (received.length === 0) {
          throw new AppError('action_not_allowed', `Case ${caseId} did not come from a lower platform`, {
            allowed: [],
          });
        }
        for (const r of received) {
          const link = await f.link(r.linkId);
          if (!link) continue;
          await f.enqueue(
            link,
            'case.hand-down',
            streamOf(caseId),
            { caseId, note: input.note ?? null, departmentCode: input.departmentCode ?? null, by },
            now,
          );
          await f.handedDown(link.id, caseId, now);
          await remoteEntry(
            tx,
            caseId,
            now,
            `下派至${link.name}${input.note ? `：${input.note}` : ''} · ${by}`,
            {
              peer: link.name,
              remoteAction: 'hand-down',
            },
          );
        }
      });
      setImmediate(nudge);
    },

    /** This level's figures, sent up (the city's command screen and assessment include them). */
    async sendFigures(link: LinkRow, figures: Record<string, unknown>, now: Date): Promise<void> {
      await db.transaction((tx) =>
        federationRepository(tx).enqueue(link, 'figures', 'figures', figures, now),
      );
      setImmediate(nudge);
    },
  };
}
export type Outbound = ReturnType<typeof outbound>;
