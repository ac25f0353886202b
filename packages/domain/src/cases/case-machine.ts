/**
 * What can happen to a case — the closed loop 发现 → 立案 → 派遣 → 处置 → 核查 → 结案, as data.
 *
 * MODEL. A case has one main `status` and, beside it, at most one `pendingRequest` — a
 * department's request waiting for the dispatcher: return 回退, extension 延期 or suspension 挂账.
 * A request does not change the status (the case stays `dispatched`/`handling` and its clocks keep
 * running); it only changes which actions are open until someone approves or denies it. So the
 * "state" the table below checks is (status, pending request kind | none).
 *
 *   reported 待受理 ──verify-report──▶ verifying 核实中 ──confirm-report──▶ reported (verified)
 *   reported ──accept──▶ filed 已立案 ──dispatch/auto-dispatch──▶ dispatched 已派遣
 *   dispatched ──accept-task──▶ handling 处置中 ──handle──▶ handled 已反馈 ──verify✓──▶ checked
 *   handled ──verify✗ (返工 rework)──▶ handling;  checked 核查通过 ──close──▶ closed 已结案
 *   reported|verifying|filed ──reject──▶ rejected 不予立案/作废;  ──merge──▶ merged 已合并
 *   reported ──self-handle (自处理, inspector's own report)──▶ closed
 *   dispatched|handling + return ▶ [return pending] ──approve-return──▶ filed (or re-dispatched)
 *   dispatched|handling + request-extension ▶ [extension pending] ──approve-extension──▶ deadline moved
 *   dispatched|handling + request-suspension ▶ [suspension pending] ──approve-suspension──▶ suspended
 *   filed|dispatched|handling ──suspend──▶ suspended 挂账 ──resume──▶ the status it left
 *   reported|filed|dispatched|handling ──hand-up──▶ handed-up 已上报 ──hand-down──▶ filed|dispatched
 *   closed ──reopen──▶ filed;  rejected|merged ──reopen──▶ reported
 *   supervise 督办 and comment 备注 never change the status; they are recorded.
 *
 * WHO. Each action lists the roles that may take it and, per role, the scope rule:
 * - `area`: the case's area code lies in the actor's scope (`inScope`: codes embed their parents);
 * - `department`: the actor is a handler of the department the case is dispatched to;
 * - `assigned-inspector`: in area, and the inspector sent to verify (if one was named);
 * - `any`: the system actor (rules, alarms, scheduler, integrations) acts everywhere.
 * The administrator may take every command-centre action (operator's and dispatcher's) to repair
 * cases, but never a department's, an inspector's or a leader's (监管分离).
 *
 * GUARDS. A few permissions depend on the case beyond its state — the source policy (a public
 * report is verified before filing; only machine sources run automatically; only an inspector's
 * own report is self-handled). A guard fails as `state`, `role` or `scope`, like the table.
 *
 * `decide.ts` checks this table and `transitions.ts` computes what each action produces.
 */
import type { CaseRulesConfig } from './config.ts';
import { categoryListed } from './config.ts';
import type { FieldSpecs } from './payload.ts';
import type { ActorRole, CaseActor, CaseSnapshot, CaseStatus, PendingKind } from './types.ts';

export type ScopeRule = 'area' | 'department' | 'assigned-inspector' | 'any';
/** `none`: no request pending; otherwise the kind of request that must be pending. */
export type PendingSlot = 'none' | PendingKind;

export interface GuardContext {
  readonly c: CaseSnapshot;
  readonly actor: CaseActor;
  readonly config: CaseRulesConfig;
}
export interface GuardFailure {
  readonly reason: 'state' | 'role' | 'scope';
  readonly message: string;
}

export interface ActionSpec {
  readonly zh: string;
  readonly summary: string;
  readonly who: Readonly<Partial<Record<ActorRole, ScopeRule>>>;
  readonly from: readonly CaseStatus[];
  readonly pending: readonly PendingSlot[];
  /** The statuses the action can lead to, or `unchanged`. */
  readonly to: readonly CaseStatus[] | 'unchanged';
  readonly fields: FieldSpecs;
  /** Recorded but never "the next step" (supervise, comment). */
  readonly passive?: boolean;
  readonly guard?: (ctx: GuardContext) => GuardFailure | null;
}

const none: readonly PendingSlot[] = ['none'];
const anyPending: readonly PendingSlot[] = ['none', 'return', 'extension', 'suspension'];
const withDepartment: readonly CaseStatus[] = ['dispatched', 'handling'];
const active: readonly CaseStatus[] = [
  'reported',
  'verifying',
  'filed',
  'dispatched',
  'handling',
  'handled',
  'checked',
  'suspended',
  'handed-up',
];
const everyStatus: readonly CaseStatus[] = [...active, 'closed', 'rejected', 'merged'];

const operator = { operator: 'area', admin: 'area' } as const;
const dispatcher = { dispatcher: 'area', admin: 'area' } as const;
const approver = { dispatcher: 'area', leader: 'area', admin: 'area' } as const;
const commandCentre = { operator: 'area', dispatcher: 'area', leader: 'area', admin: 'area' } as const;
const department = { handler: 'department' } as const;

function machineOnly(
  flag: 'autoAccept' | 'autoMerge' | 'autoClose',
  what: string,
): (ctx: GuardContext) => GuardFailure | null {
  return ({ c, actor, config }) =>
    actor.role === 'system' && !config.sources[c.source][flag]
      ? { reason: 'role', message: `the system ${what} only cases from machine sources, not ${c.source}` }
      : null;
}

/** The source policy wants this report verified on site and it has not been confirmed yet. */
export function needsVerification(c: CaseSnapshot, config: CaseRulesConfig): boolean {
  return config.sources[c.source].verifyBeforeAccept && c.verification !== 'confirmed';
}

const table = {
  'verify-report': {
    zh: '派发核实',
    summary: 'send an inspector to verify the report on site (again, to re-assign)',
    who: operator,
    from: ['reported', 'verifying'],
    pending: none,
    to: ['verifying'],
    fields: { inspectorId: 'optional' },
  },
  'confirm-report': {
    zh: '核实反馈',
    summary: 'the inspector reports what was found (confirmed: false when nothing is there)',
    who: { inspector: 'assigned-inspector' },
    from: ['verifying'],
    pending: none,
    to: ['reported'],
    fields: { confirmed: 'optional' },
  },
  accept: {
    zh: '立案',
    summary: 'file the case, correcting category, urgency or area class if needed',
    who: { ...operator, system: 'any' },
    from: ['reported'],
    pending: none,
    to: ['filed'],
    fields: { category: 'optional', urgency: 'optional', areaClass: 'optional', reason: 'optional' },
    guard: (ctx) => {
      const machine = machineOnly('autoAccept', 'files')(ctx);
      if (machine) return machine;
      const { c, actor, config } = ctx;
      if (!needsVerification(c, config)) return null;
      // 直接立案: the source policy may let a person file it before verification, with a reason
      // (transitions); once an inspector found nothing there, it is rejected, not filed.
      return config.sources[c.source].directFiling && actor.role !== 'system' && c.verification === null
        ? null
        : { reason: 'state', message: `a ${c.source} report is verified on site before it is filed` };
    },
  },
  reject: {
    zh: '不予立案 / 作废',
    summary: 'reject the report (or void a filed case, which counts against filing accuracy)',
    who: operator,
    from: ['reported', 'verifying', 'filed'],
    pending: none,
    to: ['rejected'],
    fields: { reason: 'required' },
  },
  merge: {
    zh: '合并',
    summary: 'merge a duplicate into an earlier case; its reporters follow that case',
    who: { ...operator, system: 'any' },
    from: ['reported', 'verifying', 'filed'],
    pending: none,
    to: ['merged'],
    fields: { targetCaseId: 'required' },
    guard: machineOnly('autoMerge', 'merges'),
  },
  dispatch: {
    zh: '派遣',
    summary: 'send the case to a department; from dispatched/handling it re-dispatches',
    who: dispatcher,
    from: ['filed', 'dispatched', 'handling'],
    pending: none,
    to: ['dispatched'],
    fields: { departmentCode: 'required' },
  },
  'auto-dispatch': {
    zh: '自动派遣',
    summary: "dispatch to the responsibility matrix's department without a person choosing",
    who: { ...dispatcher, system: 'any' },
    from: ['filed'],
    pending: none,
    to: ['dispatched'],
    fields: { departmentCode: 'required' },
    guard: ({ c, actor, config }) =>
      actor.role === 'system' &&
      !config.sources[c.source].autoDispatch &&
      !categoryListed(config.autoDispatchCategories, c.category)
        ? { reason: 'role', message: `automatic dispatch is not enabled for ${c.source} / ${c.category}` }
        : null,
  },
  'accept-task': {
    zh: '签收',
    summary: 'the department signs for the task (optional: handle works from dispatched too)',
    who: department,
    from: ['dispatched'],
    pending: none,
    to: ['handling'],
    fields: {},
  },
  return: {
    zh: '回退申请',
    summary: 'the department asks to give back a task that is not theirs',
    who: department,
    from: withDepartment,
    pending: none,
    to: 'unchanged',
    fields: { reason: 'required' },
  },
  'approve-return': {
    zh: '同意回退',
    summary: 'back to the dispatch queue, or straight to another department; counts against dispatch',
    who: dispatcher,
    from: withDepartment,
    pending: ['return'],
    to: ['filed', 'dispatched'],
    fields: { departmentCode: 'optional' },
  },
  'deny-return': {
    zh: '驳回回退',
    summary: 'the department keeps the task',
    who: dispatcher,
    from: withDepartment,
    pending: ['return'],
    to: 'unchanged',
    fields: { reason: 'required' },
  },
  'request-extension': {
    zh: '延期申请',
    summary: 'ask for a later handling deadline: until an instant, or a duration more',
    who: department,
    from: withDepartment,
    pending: none,
    to: 'unchanged',
    fields: { reason: 'required', until: 'optional', duration: 'optional' },
  },
  'approve-extension': {
    zh: '批准延期',
    summary: 'move the handling deadline as asked (or as given here)',
    who: approver,
    from: withDepartment,
    pending: ['extension'],
    to: 'unchanged',
    fields: { until: 'optional', duration: 'optional' },
  },
  'deny-extension': {
    zh: '驳回延期',
    summary: 'the deadline stays',
    who: approver,
    from: withDepartment,
    pending: ['extension'],
    to: 'unchanged',
    fields: { reason: 'required' },
  },
  'request-suspension': {
    zh: '挂账申请',
    summary: 'ask to suspend a problem that cannot be fixed now (缓办)',
    who: department,
    from: withDepartment,
    pending: none,
    to: 'unchanged',
    fields: { reason: 'required', until: 'optional' },
  },
  'approve-suspension': {
    zh: '批准挂账',
    summary: 'suspend the case; its clocks stop',
    who: approver,
    from: withDepartment,
    pending: ['suspension'],
    to: ['suspended'],
    fields: { until: 'optional' },
  },
  'deny-suspension': {
    zh: '驳回挂账',
    summary: 'the department goes on handling',
    who: approver,
    from: withDepartment,
    pending: ['suspension'],
    to: 'unchanged',
    fields: { reason: 'required' },
  },
  suspend: {
    zh: '挂账',
    summary: 'the command centre suspends the case itself (settles a pending request)',
    who: commandCentre,
    from: ['filed', 'dispatched', 'handling'],
    pending: ['none', 'extension', 'suspension'],
    to: ['suspended'],
    fields: { reason: 'required', until: 'optional' },
  },
  resume: {
    zh: '恢复办理',
    summary: 'back to the status it was suspended from; deadlines move by the suspended time',
    who: { ...commandCentre, ...department, system: 'any' },
    from: ['suspended'],
    pending: none,
    to: ['filed', 'dispatched', 'handling'],
    fields: {},
  },
  handle: {
    zh: '处置反馈',
    summary: 'the department reports the problem fixed, with after-photos',
    who: department,
    from: withDepartment,
    pending: ['none', 'extension', 'suspension'],
    to: ['handled'],
    fields: { photos: 'required' },
  },
  verify: {
    zh: '核查',
    summary: 'the inspector checks the fix: passed → awaiting close; failed → rework 返工',
    who: { inspector: 'area', system: 'any' },
    from: ['handled'],
    pending: none,
    to: ['checked', 'handling'],
    fields: { passed: 'required' },
    guard: machineOnly('autoClose', 'checks'),
  },
  close: {
    zh: '结案',
    summary: 'close after a passed check (normal, overdue from deadlines); special/erroneous anytime',
    who: { ...operator, system: 'any' },
    from: ['checked', 'filed', 'dispatched', 'handling', 'handled', 'suspended', 'handed-up'],
    pending: anyPending,
    to: ['closed'],
    fields: { closeType: 'optional' },
    guard: (ctx) =>
      machineOnly('autoClose', 'closes')(ctx) ??
      (ctx.actor.role === 'system' && ctx.c.status !== 'checked'
        ? { reason: 'state', message: 'the system closes only checked cases' }
        : null),
  },
  'self-handle': {
    zh: '自处理',
    summary: 'the inspector fixed a minor problem on the spot: reported and handled in one',
    who: { inspector: 'area' },
    from: ['reported'],
    pending: none,
    to: ['closed'],
    fields: { photos: 'required' },
    guard: ({ c, actor, config }) => {
      if (!config.sources[c.source].selfHandle) {
        return { reason: 'state', message: `a ${c.source} report cannot be self-handled` };
      }
      return c.reporterId !== null && c.reporterId !== actor.id
        ? { reason: 'scope', message: 'only the reporting inspector self-handles a case' }
        : null;
    },
  },
  'hand-up': {
    zh: '上报上级 / 转办',
    summary: 'beyond local authority: to the higher platform or another department (双向通道)',
    who: commandCentre,
    from: ['reported', 'filed', 'dispatched', 'handling'],
    pending: none,
    to: ['handed-up'],
    fields: { target: 'required', to: 'optional', reason: 'required' },
  },
  'hand-down': {
    zh: '下派',
    summary: 'the higher level sends it back: to the dispatch queue or straight to a department',
    who: { ...commandCentre, system: 'any' },
    from: ['handed-up'],
    pending: none,
    to: ['filed', 'dispatched'],
    fields: { departmentCode: 'optional' },
  },
  reopen: {
    zh: '重新打开',
    summary: 'a closed case goes back to dispatch; a rejected or merged one back to acceptance',
    // The system reopens what it closed by itself (a camera sees the problem again).
    who: { operator: 'area', leader: 'area', admin: 'area', system: 'any' },
    from: ['closed', 'rejected', 'merged'],
    pending: none,
    to: ['filed', 'reported'],
    fields: { reason: 'required' },
    guard: machineOnly('autoClose', 'reopens'),
  },
  supervise: {
    zh: '督办',
    summary: 'a leader (or the scheduler, on overdue) presses for action; recorded, no state change',
    who: { leader: 'area', system: 'any' },
    from: active,
    pending: anyPending,
    to: 'unchanged',
    fields: {},
    passive: true,
  },
  comment: {
    zh: '备注',
    summary: 'a note on the timeline',
    who: {
      admin: 'area',
      leader: 'area',
      operator: 'area',
      dispatcher: 'area',
      handler: 'department',
      inspector: 'area',
      system: 'any',
    },
    from: everyStatus,
    pending: anyPending,
    to: 'unchanged',
    fields: { note: 'required' },
    passive: true,
  },
} satisfies Record<string, ActionSpec>;

/** The actions, named as the API names them (`POST /api/v1/cases/{id}/{action}`). */
export type CaseAction = keyof typeof table;
/** The table, one entry per action, in the order of the loop. */
export const actionTable: Readonly<Record<CaseAction, ActionSpec>> = table;
export const caseActionNames = Object.keys(table) as readonly CaseAction[];
/** Each action's own fields, precisely typed (for `ActionPayload`). */
export type ActionFieldSpecs = { readonly [A in CaseAction]: (typeof table)[A]['fields'] };

export function isCaseAction(value: unknown): value is CaseAction {
  return typeof value === 'string' && Object.hasOwn(actionTable, value);
}
