/**
 * The machine's snapshot round-trips through jsonb. Dates become ISO strings on the way in and
 * are revived field by field on the way out (never by guessing from string shape).
 */
import type { CaseDeadlines, CaseSnapshot, Deadline } from '@onegrid/domain';

type Json = Record<string, unknown>;

const date = (v: unknown): Date | null => (v == null ? null : new Date(v as string));

function reviveDeadline(d: Json): Deadline {
  return {
    ...(d as unknown as Deadline),
    startedAt: date(d.startedAt)!,
    dueAt: date(d.dueAt)!,
    warnAt: date(d.warnAt)!,
    completedAt: date(d.completedAt),
    pausedAt: date(d.pausedAt),
  };
}

export function reviveSnapshot(raw: unknown): CaseSnapshot {
  const s = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Json;
  const deadlines: Record<string, Deadline> = {};
  for (const [step, d] of Object.entries((s.deadlines ?? {}) as Record<string, Json>)) {
    deadlines[step] = reviveDeadline(d);
  }
  const pending = s.pendingRequest as Json | null;
  const suspension = s.suspension as Json | null;
  const handUp = s.handUp as Json | null;
  return {
    ...(s as unknown as CaseSnapshot),
    deadlines: deadlines as CaseDeadlines,
    pendingRequest: pending
      ? ({
          ...pending,
          requestedAt: date(pending.requestedAt)!,
          until: date(pending.until),
        } as CaseSnapshot['pendingRequest'])
      : null,
    suspension: suspension
      ? ({
          ...suspension,
          since: date(suspension.since)!,
          until: date(suspension.until),
        } as CaseSnapshot['suspension'])
      : null,
    handUp: handUp ? ({ ...handUp, at: date(handUp.at)! } as CaseSnapshot['handUp']) : null,
    closedAt: date(s.closedAt),
  };
}

/** The earliest running deadline: what overdue and warning filters look at. */
export function currentDeadline(s: CaseSnapshot): Deadline | undefined {
  let best: Deadline | undefined;
  for (const d of Object.values(s.deadlines)) {
    if (!d || d.completedAt || d.cancelled || d.pausedAt) continue;
    if (!best || d.dueAt < best.dueAt) best = d;
  }
  return best;
}
