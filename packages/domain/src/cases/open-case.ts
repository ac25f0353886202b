/**
 * A report becomes a case: the first snapshot (status `reported`), its filing clock and the
 * first timeline entry. What happens next is `decide`'s business; whether the system files and
 * dispatches it at once is the source policy's (`accept`/`auto-dispatch` by the system actor).
 */
import type { AreaClass } from '../geo/index.ts';
import { type CaseRulesConfig, defaultCaseConfig } from './config.ts';
import { findLimit, startDeadline } from './deadlines.ts';
import type { CaseSource } from './sources.ts';
import {
  type ActorRole,
  type CaseEffect,
  type CaseSnapshot,
  type LngLat,
  type TimelineEntry,
  type Urgency,
  zeroCounters,
} from './types.ts';

export interface NewCaseInput {
  readonly id: string;
  readonly source: CaseSource;
  readonly category: string;
  readonly urgency?: Urgency;
  readonly areaCode: string;
  readonly areaClass?: AreaClass;
  /** Who reported (a user id, a device id, `12345:<ticket>`…) and as what. */
  readonly reporter: { readonly id: string; readonly role: ActorRole };
  readonly note?: string | null;
  readonly photos?: readonly string[];
  readonly location?: LngLat | null;
}

export interface OpenedCase {
  readonly snapshot: CaseSnapshot;
  readonly effects: readonly CaseEffect[];
  readonly timelineEntry: TimelineEntry;
}

export function openCase(
  input: NewCaseInput,
  now: Date,
  config: CaseRulesConfig = defaultCaseConfig,
): OpenedCase {
  const urgency = input.urgency ?? 'normal';
  const areaClass = input.areaClass ?? 'C';
  const limit = findLimit(config.deadlineRules, 'filing', { category: input.category, urgency, areaClass });
  const filing = limit ? startDeadline('filing', limit, now, config.calendar, config.warning) : undefined;
  const snapshot: CaseSnapshot = {
    id: input.id,
    status: 'reported',
    pendingRequest: null,
    source: input.source,
    category: input.category,
    urgency,
    areaCode: input.areaCode,
    areaClass,
    departmentCode: null,
    reporterId: input.reporter.id,
    inspectorId: null,
    verification: null,
    deadlines: filing ? { filing } : {},
    suspension: null,
    handUp: null,
    mergedInto: null,
    closeType: null,
    closedAt: null,
    selfHandled: false,
    counters: zeroCounters,
  };
  return {
    snapshot,
    effects: filing ? [{ type: 'deadline-started', step: 'filing', deadline: filing }] : [],
    timelineEntry: {
      action: 'report',
      actorId: input.reporter.id,
      actorRole: input.reporter.role,
      at: now,
      fromStatus: null,
      toStatus: 'reported',
      fromPending: null,
      toPending: null,
      note: input.note ?? null,
      photos: input.photos ?? [],
      location: input.location ?? null,
      data: { source: input.source, category: input.category, urgency },
    },
  };
}
