/**
 * What each action produces, once `decide` has checked that it is allowed: the next snapshot,
 * its effects (clocks, department, counters) and action-specific timeline data. Cross-field rules
 * that need the case (a deadline later than the current one, a different department) answer
 * `invalid` here. Deadline conventions are in `deadlines.ts`.
 */
import { type CaseAction, needsVerification } from './case-machine.ts';
import type { CaseRulesConfig } from './config.ts';
import {
  type Deadline,
  type DeadlineChange,
  type DeadlineStep,
  deadlineState,
  deadlineSteps,
  extendDeadline,
  extendedDueAt,
  findLimit,
  pauseDeadline,
  reopenDeadline,
  resumeDeadline,
  startDeadline,
  stopDeadline,
} from './deadlines.ts';
import type { ActionInput } from './payload.ts';
import type {
  CaseActor,
  CaseCounters,
  CaseEffect,
  CaseSnapshot,
  CaseStatus,
  CloseType,
  PendingKind,
  TimelineValue,
} from './types.ts';

export interface TransitionContext {
  readonly c: CaseSnapshot;
  readonly actor: CaseActor;
  readonly input: ActionInput;
  readonly now: Date;
  readonly config: CaseRulesConfig;
}

export type TransitionResult =
  | {
      readonly ok: true;
      readonly next: CaseSnapshot;
      readonly effects: CaseEffect[];
      readonly data: Record<string, TimelineValue>;
    }
  | { readonly ok: false; readonly field: string; readonly message: string };

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const invalid = (field: string, message: string): TransitionResult => ({ ok: false, field, message });

/** A snapshot being changed, collecting effects as it goes. */
class Draft {
  readonly next: Mutable<CaseSnapshot>;
  readonly effects: CaseEffect[] = [];
  readonly data: Record<string, TimelineValue> = {};
  private readonly clocks: Partial<Record<DeadlineStep, Deadline>>;
  private readonly counters: Mutable<CaseCounters>;
  private readonly ctx: TransitionContext;

  constructor(ctx: TransitionContext) {
    this.ctx = ctx;
    this.clocks = { ...ctx.c.deadlines };
    this.counters = { ...ctx.c.counters };
    this.next = { ...ctx.c, deadlines: this.clocks, counters: this.counters };
  }

  status(status: CaseStatus): this {
    this.next.status = status;
    return this;
  }

  effect(effect: CaseEffect): this {
    this.effects.push(effect);
    return this;
  }

  count(counter: keyof CaseCounters): number {
    this.counters[counter] += 1;
    return this.counters[counter];
  }

  /** Starts a fresh clock for `step` (replacing a running one), if the rules give it a limit. */
  start(step: DeadlineStep): this {
    const { now, config } = this.ctx;
    this.stop(step, true);
    const limit = findLimit(config.deadlineRules, step, this.next);
    if (!limit) return this;
    const deadline = startDeadline(step, limit, now, config.calendar, config.warning);
    this.clocks[step] = deadline;
    return this.effect({ type: 'deadline-started', step, deadline });
  }

  put(step: DeadlineStep, deadline: Deadline): this {
    this.clocks[step] = deadline;
    return this;
  }

  /** Stops a running clock: the step is done now, or (cancelled) no longer applies. */
  stop(step: DeadlineStep, cancelled = false): this {
    const d = this.clocks[step];
    if (!d || d.completedAt) return this;
    const stopped = stopDeadline(d, this.ctx.now, cancelled);
    this.clocks[step] = stopped;
    const onTime = deadlineState(stopped, this.ctx.now) !== 'overdue';
    return this.effect({ type: 'deadline-stopped', step, at: this.ctx.now, onTime, cancelled });
  }

  cancelAll(): this {
    for (const step of deadlineSteps) this.stop(step, true);
    return this;
  }

  pauseAll(): this {
    const steps = deadlineSteps.filter((s) => {
      const d = this.clocks[s];
      return d && !d.completedAt && !d.pausedAt;
    });
    for (const s of steps) this.clocks[s] = pauseDeadline(this.clocks[s] as Deadline, this.ctx.now);
    return steps.length ? this.effect({ type: 'deadlines-paused', steps }) : this;
  }

  resumeAll(): this {
    const steps = deadlineSteps.filter((s) => this.clocks[s]?.pausedAt);
    const { now, config } = this.ctx;
    for (const s of steps) this.clocks[s] = resumeDeadline(this.clocks[s] as Deadline, now, config.calendar);
    return steps.length ? this.effect({ type: 'deadlines-resumed', steps }) : this;
  }

  /** Sends the case to a department: response and handling clocks start afresh. */
  dispatchTo(departmentCode: string, auto: boolean): this {
    const previous = this.next.departmentCode;
    this.stop('dispatch').stop('response', true).stop('handling', true);
    this.next.departmentCode = departmentCode;
    this.count('dispatches');
    this.data.departmentCode = departmentCode;
    return this.effect({ type: 'department-set', departmentCode, previous, auto })
      .status('dispatched')
      .start('response')
      .start('handling');
  }

  /** Back to the dispatch queue without a department. */
  toDispatchQueue(): this {
    const previous = this.next.departmentCode;
    this.stop('response', true).stop('handling', true);
    if (previous !== null) {
      this.next.departmentCode = null;
      this.effect({ type: 'department-cleared', previous });
    }
    return this.status('filed').start('dispatch');
  }

  settle(how: 'approved' | 'denied' | 'withdrawn'): this {
    const kind: PendingKind | undefined = this.next.pendingRequest?.kind;
    if (!kind) return this;
    this.next.pendingRequest = null;
    return this.effect({ type: `request-${how}`, kind });
  }

  request(kind: PendingKind, extra: { until?: Date; duration?: ActionInput['duration'] } = {}): this {
    this.next.pendingRequest = {
      kind,
      requestedAt: this.ctx.now,
      requestedBy: this.ctx.actor.id,
      reason: this.ctx.input.reason ?? '',
      until: extra.until ?? null,
      duration: extra.duration ?? null,
    };
    if (extra.until) this.data.until = extra.until.toISOString();
    return this.effect({ type: 'request-opened', kind });
  }

  suspend(until: Date | null): this {
    this.next.suspension = { from: this.ctx.c.status, since: this.ctx.now, until };
    this.count('suspensions');
    if (until) this.data.until = until.toISOString();
    return this.pauseAll().status('suspended').effect({ type: 'suspended', until });
  }

  finish(closeType: CloseType, selfHandled: boolean): this {
    this.settle('withdrawn').cancelAll();
    Object.assign(this.next, {
      closeType,
      closedAt: this.ctx.now,
      selfHandled,
      suspension: null,
      handUp: null,
    });
    this.data.closeType = closeType;
    return this.status('closed').effect({ type: 'closed', closeType, selfHandled });
  }

  done(): TransitionResult {
    return { ok: true, next: this.next, effects: this.effects, data: this.data };
  }
}

function extensionChange(input: ActionInput): DeadlineChange | 'both' | undefined {
  if (input.until && input.duration) return 'both';
  if (input.until) return { until: input.until };
  if (input.duration) return { duration: input.duration };
  return undefined;
}

function isLate(c: CaseSnapshot, now: Date): boolean {
  const handling = c.deadlines.handling;
  return handling !== undefined && !handling.cancelled && deadlineState(handling, now) === 'overdue';
}

type Transition = (ctx: TransitionContext, d: Draft) => Draft | TransitionResult;

const table: Record<CaseAction, Transition> = {
  'verify-report': ({ input }, d) => {
    d.next.inspectorId = input.inspectorId ?? null;
    d.next.verification = null;
    d.data.inspectorId = d.next.inspectorId;
    return d
      .effect({ type: 'inspector-assigned', inspectorId: d.next.inspectorId })
      .status('verifying')
      .start('verify-report');
  },
  'confirm-report': ({ input }, d) => {
    const confirmed = input.confirmed ?? true;
    d.next.verification = confirmed ? 'confirmed' : 'not-found';
    d.data.confirmed = confirmed;
    // The filing clock restarts: the inspector's time on site is not the operator's.
    return d
      .stop('verify-report')
      .effect({ type: 'report-verified', confirmed })
      .status('reported')
      .start('filing');
  },
  accept: ({ c, actor, input, config }, d) => {
    if (needsVerification(c, config)) {
      if (!input.reason) {
        return invalid(
          'reason',
          `a ${c.source} report is verified on site before it is filed; filing it directly (直接立案) needs a reason`,
        );
      }
      d.data.unverified = true;
    }
    if (input.category && input.category !== c.category) {
      d.next.category = input.category;
      d.data.category = input.category;
      d.effect({ type: 'category-corrected', from: c.category, to: input.category });
    }
    if (input.urgency && input.urgency !== c.urgency) {
      d.next.urgency = input.urgency;
      d.data.urgency = input.urgency;
      d.effect({ type: 'urgency-changed', from: c.urgency, to: input.urgency });
    }
    if (input.areaClass && input.areaClass !== c.areaClass) {
      d.next.areaClass = input.areaClass;
      d.effect({ type: 'area-class-changed', from: c.areaClass, to: input.areaClass });
    }
    return d
      .stop('filing')
      .effect({ type: 'filed', auto: actor.role === 'system' })
      .status('filed')
      .start('dispatch');
  },
  reject: ({ c }, d) => {
    const voided = c.status === 'filed';
    return d.stop('filing').cancelAll().status('rejected').effect({ type: 'rejected', voided });
  },
  merge: ({ c, actor, input }, d) => {
    const into = input.targetCaseId ?? '';
    if (into === c.id) return invalid('targetCaseId', 'a case cannot be merged into itself');
    d.next.mergedInto = into;
    d.data.targetCaseId = into;
    return d
      .stop('filing')
      .cancelAll()
      .status('merged')
      .effect({ type: 'merged', into, auto: actor.role === 'system' });
  },
  dispatch: ({ c, input }, d) => {
    const to = input.departmentCode ?? '';
    if (c.status !== 'filed' && to === c.departmentCode) {
      return invalid('departmentCode', 'the case is already with that department');
    }
    return d.dispatchTo(to, false);
  },
  'auto-dispatch': ({ input }, d) => d.dispatchTo(input.departmentCode ?? '', true),
  'accept-task': (_, d) => d.stop('response').status('handling'),
  return: (_, d) => d.request('return'),
  'approve-return': ({ c, input }, d) => {
    if (input.departmentCode && input.departmentCode === c.departmentCode) {
      return invalid('departmentCode', 'that department is the one returning the case');
    }
    d.count('returns');
    d.settle('approved').effect({ type: 'dispatch-returned', departmentCode: c.departmentCode });
    return input.departmentCode ? d.dispatchTo(input.departmentCode, false) : d.toDispatchQueue();
  },
  'deny-return': (_, d) => d.settle('denied'),
  'request-extension': ({ c, input, now }, d) => {
    const change = extensionChange(input);
    if (!change) return invalid('until', 'give until (the new deadline) or duration (the extra time)');
    if (change === 'both') return invalid('until', 'give until or duration, not both');
    if (input.until && input.until <= now) return invalid('until', 'until must be in the future');
    const current = c.deadlines.handling;
    if (input.until && current && input.until <= current.dueAt) {
      return invalid('until', 'until must be later than the current deadline');
    }
    return d.request('extension', { until: input.until, duration: input.duration });
  },
  'approve-extension': ({ c, input, config }, d) => {
    const asked = extensionChange(input);
    if (asked === 'both') return invalid('until', 'give until or duration, not both');
    const request = c.pendingRequest;
    const change: DeadlineChange | undefined =
      asked ??
      (request?.until
        ? { until: request.until }
        : request?.duration
          ? { duration: request.duration }
          : undefined);
    const current = c.deadlines.handling;
    if (change && current) {
      const dueAt = extendedDueAt(current, change, config.calendar);
      if (dueAt <= current.dueAt)
        return invalid('until', 'the new deadline must be later than the current one');
      const extended = extendDeadline(current, change, config.calendar, config.warning);
      d.put('handling', extended);
      d.data.dueAt = extended.dueAt.toISOString();
      d.effect({ type: 'deadline-extended', step: 'handling', from: current.dueAt, to: extended.dueAt });
    }
    d.count('extensions');
    return d.settle('approved');
  },
  'deny-extension': (_, d) => d.settle('denied'),
  'request-suspension': ({ input, now }, d) => {
    if (input.until && input.until <= now) return invalid('until', 'until must be in the future');
    return d.request('suspension', { until: input.until });
  },
  'approve-suspension': ({ c, input }, d) =>
    d.settle('approved').suspend(input.until ?? c.pendingRequest?.until ?? null),
  'deny-suspension': (_, d) => d.settle('denied'),
  suspend: ({ c, input, now }, d) => {
    if (input.until && input.until <= now) return invalid('until', 'until must be in the future');
    const requested = c.pendingRequest?.kind === 'suspension' ? c.pendingRequest.until : null;
    d.settle(c.pendingRequest?.kind === 'suspension' ? 'approved' : 'withdrawn');
    return d.suspend(input.until ?? requested);
  },
  resume: ({ c }, d) => {
    const to: CaseStatus = c.suspension?.from ?? (c.departmentCode ? 'handling' : 'filed');
    d.next.suspension = null;
    return d.resumeAll().status(to).effect({ type: 'resumed', to });
  },
  handle: (_, d) => d.settle('withdrawn').stop('response').stop('handling').status('handled').start('check'),
  verify: ({ c, input, now, config }, d) => {
    d.stop('check');
    d.data.passed = input.passed ?? false;
    if (input.passed) return d.status('checked').effect({ type: 'check-passed' });
    const count = d.count('reworks');
    const handling = c.deadlines.handling;
    if (handling?.completedAt && !handling.cancelled) {
      const reopened = reopenDeadline(handling, now, config.calendar);
      d.put('handling', reopened);
      d.effect({ type: 'deadline-reopened', step: 'handling', dueAt: reopened.dueAt });
    }
    return d.status('handling').effect({ type: 'rework', count });
  },
  close: ({ c, input, now }, d) => {
    const given = input.closeType;
    if (given === 'special' || given === 'erroneous') return d.finish(given, false);
    if (c.status !== 'checked') {
      return invalid('closeType', 'before a passed check a case can only be closed as special or erroneous');
    }
    return d.finish(given === 'overdue' || isLate(c, now) ? 'overdue' : 'normal', false);
  },
  'self-handle': (_, d) => d.stop('filing').finish('normal', true),
  'hand-up': ({ c, input, now }, d) => {
    const target = input.target ?? 'higher-platform';
    const to = input.to ?? null;
    d.next.handUp = { from: c.status, target, to, at: now };
    Object.assign(d.data, { target, to });
    return d.pauseAll().status('handed-up').effect({ type: 'handed-up', target, to });
  },
  'hand-down': ({ input }, d) => {
    d.next.handUp = null;
    // The higher level decided: the local clocks from before the hand-up no longer apply.
    d.cancelAll();
    if (input.departmentCode) d.dispatchTo(input.departmentCode, false);
    else d.toDispatchQueue();
    return d.effect({ type: 'handed-down', to: d.next.status });
  },
  reopen: ({ c }, d) => {
    d.count('reopenings');
    Object.assign(d.next, { closeType: null, closedAt: null, selfHandled: false, mergedInto: null });
    if (c.status === 'closed') d.toDispatchQueue();
    else d.status('reported').start('filing');
    return d.effect({ type: 'reopened', to: d.next.status });
  },
  supervise: (_, d) => d.effect({ type: 'supervised', count: d.count('supervisions') }),
  comment: (_, d) => d,
};

export const transitions: Readonly<Record<CaseAction, (ctx: TransitionContext) => TransitionResult>> =
  Object.fromEntries(
    Object.entries(table).map(([action, run]) => [
      action,
      (ctx: TransitionContext): TransitionResult => {
        const out = run(ctx, new Draft(ctx));
        return out instanceof Draft ? out.done() : out;
      },
    ]),
  ) as Record<CaseAction, (ctx: TransitionContext) => TransitionResult>;
