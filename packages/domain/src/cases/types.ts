/**
 * The vocabulary of the closed loop: statuses, pending requests, sources, urgency, close types,
 * the case snapshot the machine reads and writes, actors, effects and timeline entries.
 * The rules live in `case-machine.ts`; this file only names things.
 */
import type { AreaClass } from '../geo/index.ts';
import type { Role } from '../roles.ts';
import type { CaseAction } from './case-machine.ts';
import type { Deadline, DeadlineStep } from './deadlines.ts';
import type { CaseSource } from './sources.ts';

/** Main status of a case. See the header of `case-machine.ts` for the model. */
export const caseStatuses = [
  'reported',
  'verifying',
  'filed',
  'dispatched',
  'handling',
  'handled',
  'checked',
  'suspended',
  'handed-up',
  'closed',
  'rejected',
  'merged',
] as const;
export type CaseStatus = (typeof caseStatuses)[number];

export const caseStatusNames: Record<CaseStatus, { zh: string; en: string }> = {
  reported: { zh: '待受理', en: 'Reported' },
  verifying: { zh: '核实中', en: 'Verifying' },
  filed: { zh: '已立案（待派遣）', en: 'Filed, awaiting dispatch' },
  dispatched: { zh: '已派遣（待签收）', en: 'Dispatched, awaiting department' },
  handling: { zh: '处置中', en: 'Being handled' },
  handled: { zh: '已反馈（待核查）', en: 'Handled, awaiting check' },
  checked: { zh: '核查通过（待结案）', en: 'Checked, awaiting close' },
  suspended: { zh: '挂账（缓办）', en: 'Suspended' },
  'handed-up': { zh: '已上报（转办）', en: 'Handed up' },
  closed: { zh: '已结案', en: 'Closed' },
  rejected: { zh: '不予立案（作废）', en: 'Rejected' },
  merged: { zh: '已合并', en: 'Merged' },
};

/** Statuses in which nothing more happens unless someone reopens the case. */
export const terminalStatuses: readonly CaseStatus[] = ['closed', 'rejected', 'merged'];
export function isOpenStatus(status: CaseStatus): boolean {
  return !terminalStatuses.includes(status);
}

/** A department's request waiting for the dispatcher, carried beside the main status. */
export const pendingKinds = ['return', 'extension', 'suspension'] as const;
export type PendingKind = (typeof pendingKinds)[number];
export const pendingKindNames: Record<PendingKind, string> = {
  return: '回退申请',
  extension: '延期申请',
  suspension: '挂账申请',
};
/** The only statuses in which a department can have a request pending. */
export const statusesWithRequests: readonly CaseStatus[] = ['dispatched', 'handling'];

/** An amount of time; the units add up. Working days count as whole working days' hours. */
export interface Duration {
  readonly days?: number;
  readonly hours?: number;
  readonly minutes?: number;
}

export interface PendingRequest {
  readonly kind: PendingKind;
  readonly requestedAt: Date;
  readonly requestedBy: string;
  readonly reason: string;
  /** Extension: the new deadline asked for; suspension: the expected resumption. */
  readonly until: Date | null;
  /** Extension: the extra time asked for, counted like the handling limit (working or natural). */
  readonly duration: Duration | null;
}

export const urgencies = ['urgent', 'normal'] as const;
export type Urgency = (typeof urgencies)[number];
export const urgencyNames: Record<Urgency, string> = { urgent: '紧急', normal: '一般' };

/**
 * Area class of the place: A core, B, C general (drives deadlines). The type is the geo
 * package's (a unit grid carries its class); this is the list of its values.
 */
export const areaClasses = ['A', 'B', 'C'] as const satisfies readonly AreaClass[];

export const closeTypes = ['normal', 'overdue', 'erroneous', 'special'] as const;
export type CloseType = (typeof closeTypes)[number];
export const closeTypeNames: Record<CloseType, string> = {
  normal: '正常结案',
  overdue: '超时结案',
  erroneous: '差错结案',
  special: '特殊结案',
};

export const handUpTargets = ['higher-platform', 'department'] as const;
export type HandUpTarget = (typeof handUpTargets)[number];

export interface LngLat {
  readonly lng: number;
  readonly lat: number;
}

export type CaseDeadlines = Readonly<Partial<Record<DeadlineStep, Deadline>>>;

export interface CaseCounters {
  readonly dispatches: number;
  readonly returns: number;
  readonly reworks: number;
  readonly extensions: number;
  readonly suspensions: number;
  readonly supervisions: number;
  readonly reopenings: number;
}

export const zeroCounters: CaseCounters = {
  dispatches: 0,
  returns: 0,
  reworks: 0,
  extensions: 0,
  suspensions: 0,
  supervisions: 0,
  reopenings: 0,
};

/** What the machine needs to know about a case; `decide` returns the next one. */
export interface CaseSnapshot {
  readonly id: string;
  readonly status: CaseStatus;
  readonly pendingRequest: PendingRequest | null;
  readonly source: CaseSource;
  /** Matter code (GB/T 47678.5), e.g. `06010`. */
  readonly category: string;
  readonly urgency: Urgency;
  /** The most specific area code of the place (unit grid, else community/street/district). */
  readonly areaCode: string;
  readonly areaClass: AreaClass;
  /** The department the case is dispatched to, if any. */
  readonly departmentCode: string | null;
  readonly reporterId: string | null;
  /** Inspector sent to verify the report (verify-report); only they may confirm it. */
  readonly inspectorId: string | null;
  /** Result of the on-site verification (核实). */
  readonly verification: 'confirmed' | 'not-found' | null;
  readonly deadlines: CaseDeadlines;
  readonly suspension: {
    readonly from: CaseStatus;
    readonly since: Date;
    readonly until: Date | null;
  } | null;
  readonly handUp: {
    readonly from: CaseStatus;
    readonly target: HandUpTarget;
    readonly to: string | null;
    readonly at: Date;
  } | null;
  readonly mergedInto: string | null;
  readonly closeType: CloseType | null;
  readonly closedAt: Date | null;
  readonly selfHandled: boolean;
  readonly counters: CaseCounters;
}

/** Who acts. `system` is the platform itself: rules, alarms, the scheduler, integrations. */
export type ActorRole = Role | 'system';

export interface CaseActor {
  readonly id: string;
  readonly role: ActorRole;
  /** Area code prefix of the actor's data scope (`3101` = the whole city). */
  readonly scope: string;
  /** A handler's department. */
  readonly departmentCode?: string | null;
}

export const systemActor: CaseActor = { id: 'system', role: 'system', scope: '' };

/** Side effects of a transition, for counters, notifications and the outbox. */
export type CaseEffect =
  | { readonly type: 'deadline-started'; readonly step: DeadlineStep; readonly deadline: Deadline }
  | {
      readonly type: 'deadline-stopped';
      readonly step: DeadlineStep;
      readonly at: Date;
      readonly onTime: boolean;
      readonly cancelled: boolean;
    }
  | {
      readonly type: 'deadline-extended';
      readonly step: DeadlineStep;
      readonly from: Date;
      readonly to: Date;
    }
  | { readonly type: 'deadlines-paused'; readonly steps: readonly DeadlineStep[] }
  | { readonly type: 'deadlines-resumed'; readonly steps: readonly DeadlineStep[] }
  | { readonly type: 'deadline-reopened'; readonly step: DeadlineStep; readonly dueAt: Date }
  | {
      readonly type: 'department-set';
      readonly departmentCode: string;
      readonly previous: string | null;
      readonly auto: boolean;
    }
  | { readonly type: 'department-cleared'; readonly previous: string | null }
  | { readonly type: 'category-corrected'; readonly from: string; readonly to: string }
  | { readonly type: 'urgency-changed'; readonly from: Urgency; readonly to: Urgency }
  | { readonly type: 'area-class-changed'; readonly from: AreaClass; readonly to: AreaClass }
  | { readonly type: 'inspector-assigned'; readonly inspectorId: string | null }
  | { readonly type: 'report-verified'; readonly confirmed: boolean }
  | { readonly type: 'filed'; readonly auto: boolean }
  | { readonly type: 'rejected'; readonly voided: boolean }
  | { readonly type: 'merged'; readonly into: string; readonly auto: boolean }
  | { readonly type: 'dispatch-returned'; readonly departmentCode: string | null }
  | { readonly type: 'request-opened'; readonly kind: PendingKind }
  | { readonly type: 'request-approved'; readonly kind: PendingKind }
  | { readonly type: 'request-denied'; readonly kind: PendingKind }
  | { readonly type: 'request-withdrawn'; readonly kind: PendingKind }
  | { readonly type: 'suspended'; readonly until: Date | null }
  | { readonly type: 'resumed'; readonly to: CaseStatus }
  | { readonly type: 'check-passed' }
  | { readonly type: 'rework'; readonly count: number }
  | { readonly type: 'closed'; readonly closeType: CloseType; readonly selfHandled: boolean }
  | { readonly type: 'handed-up'; readonly target: HandUpTarget; readonly to: string | null }
  | { readonly type: 'handed-down'; readonly to: CaseStatus }
  | { readonly type: 'reopened'; readonly to: CaseStatus }
  | { readonly type: 'supervised'; readonly count: number };

export type TimelineValue = string | number | boolean | null;

/** One recorded step: who, when, where, what, before and after. Never deleted. */
export interface TimelineEntry {
  readonly action: CaseAction | 'report';
  readonly actorId: string;
  readonly actorRole: ActorRole;
  readonly at: Date;
  readonly fromStatus: CaseStatus | null;
  readonly toStatus: CaseStatus;
  readonly fromPending: PendingKind | null;
  readonly toPending: PendingKind | null;
  readonly note: string | null;
  readonly photos: readonly string[];
  readonly location: LngLat | null;
  /** Action-specific details (department, close type, passed, reason, new deadline…). */
  readonly data: Readonly<Record<string, TimelineValue>>;
}
