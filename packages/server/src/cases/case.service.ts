/**
 * The closed loop as use cases: report, act, read, list. The domain's `decide` says what may
 * happen; this service makes it durable — one transaction per step holding the snapshot, the
 * timeline entry and the outbox event, with the case `version` as the optimistic lock.
 */
import {
  autoMergeTarget,
  type CaseActor,
  type CaseRulesConfig,
  type CaseSnapshot,
  type CaseSource,
  type Crs,
  caseKindOf,
  caseNumber,
  caseNumberDay,
  categoryListed,
  type DuplicateOptions,
  decide,
  defaultDuplicateOptions,
  findDuplicates,
  inScope,
  isCaseSource,
  type Location,
  openCase,
  reportableSources,
  sourceFor,
  systemActor,
  type TimelineEntry,
  type Urgency,
} from '@onegrid/domain';
import { claimPhotos } from '../attachments/attachment.service.ts';
import { audit } from '../audit/audit.ts';
import type { Principal } from '../auth/auth.service.ts';
import type { Db, Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { openAssistsOf } from '../joint/joint.ts';
import { type CaseRow, caseRepository } from './case.repository.ts';
import { type DispatchProposal, matrixRepository } from './matrix.repository.ts';
import { reviveSnapshot } from './snapshot.ts';

export interface CaseServiceDeps {
  db: Db;
  clock: () => Date;
  /** Resolves a WGS-84 point to its areas (the geo service), or null outside the city. */
  locate: (lng: number, lat: number) => Promise<Location | null>;
  toWgs84: (lng: number, lat: number, crs: Crs) => { lng: number; lat: number };
  /** The loop configuration in force in an area (district and street settings over the city's). */
  config: (areaCode?: string) => CaseRulesConfig;
  duplicates?: DuplicateOptions;
  /** Called after each commit so SSE clients hear at once. */
  afterCommit?: () => void;
}

export interface ReportInput {
  category: string;
  description: string;
  location?: { lng: number; lat: number; crs?: Crs } | undefined;
  address?: string | undefined;
  source?: string | undefined;
  urgency?: Urgency | undefined;
  photos?: string[] | undefined;
  idempotencyKey?: string | undefined;
  reporterName?: string | undefined;
  reporterContact?: string | undefined;
  deviceId?: string | undefined;
  externalIds?: Record<string, string> | undefined;
}

/** A step just applied, inside its transaction (federation sends it to linked platforms). */
export interface AppliedStep {
  row: CaseRow;
  action: string;
  fromStatus: string;
  next: CaseSnapshot;
  entry: TimelineEntry;
  actorName: string;
  now: Date;
}
export type AppliedListener = (tx: Queryable, step: AppliedStep) => Promise<void>;

/** Who acts: a logged-in user, or the platform itself (rules, alarms, Open311, the scheduler). */
export type Caller = Principal | { system: true; name: string; scopeCode?: string };

const isSystem = (c: Caller): c is { system: true; name: string } => 'system' in c;

export function actorOf(caller: Caller): CaseActor {
  if (isSystem(caller)) return systemActor;
  return {
    id: String(caller.id),
    role: caller.role,
    scope: caller.scopeCode,
    departmentCode: caller.departmentCode,
  };
}

const actorName = (caller: Caller) => (isSystem(caller) ? caller.name : caller.displayName);

export function caseService(deps: CaseServiceDeps) {
  const { db, clock } = deps;
  const duplicateOptions = deps.duplicates ?? defaultDuplicateOptions;
  const listeners: AppliedListener[] = [];

  /** Applies one action inside a transaction; throws the API's errors when the machine says no. */
  async function apply(
    tx: Queryable,
    row: CaseRow,
    action: string,
    caller: Caller,
    payload: Record<string, unknown>,
    now: Date,
    config: CaseRulesConfig = deps.config(row.areaCode),
  ): Promise<{ next: CaseSnapshot; entry: TimelineEntry }> {
    const repo = caseRepository(tx);
    const snapshot = reviveSnapshot(row.snapshot);
    const fromStatus = row.status;
    let proposal: DispatchProposal | undefined;
    const body = { ...payload };
    if (action === 'auto-dispatch' || (action === 'dispatch' && !body.departmentCode)) {
      proposal = await matrixRepository(tx).propose(snapshot.category, snapshot.areaCode);
      if (!proposal) {
        throw new AppError(
          'action_not_allowed',
          'No rule of the responsibility matrix covers this category and place',
          {
            allowed: [],
          },
        );
      }
      body.departmentCode = proposal.departmentCode;
    }
    if (action === 'merge') await checkMergeTarget(repo, row, body.targetCaseId, caller);
    if (
      typeof body.departmentCode === 'string' &&
      !proposal &&
      (action === 'dispatch' || action === 'hand-up')
    ) {
      if (!(await matrixRepository(tx).departmentExists(body.departmentCode))) {
        throw new AppError('validation_failed', `Unknown department ${body.departmentCode}`, {
          field: 'departmentCode',
        });
      }
    }
    if (typeof body.category === 'string' && !(await repo.categoryExists(body.category))) {
      throw new AppError('validation_failed', `Unknown category ${body.category}`, { field: 'category' });
    }
    // 联勤联动: the lead reports handled only after every assisting department has (joint/joint.ts).
    if (action === 'handle') {
      const waiting = await openAssistsOf(tx, row.id);
      if (waiting.length) {
        throw new AppError('action_not_allowed', `联勤联动：等待协办部门反馈（${waiting.join('、')}）`, {
          status: row.status,
          waitingFor: waiting,
        });
      }
    }
    const d = decide(snapshot, action, actorOf(caller), body, now, config);
    if (!d.ok) {
      switch (d.reason) {
        case 'state':
          throw new AppError('action_not_allowed', `${action} is not allowed now: ${d.message}`, {
            status: row.status,
            allowed: d.allowed,
          });
        case 'role':
        case 'scope':
          throw new AppError('forbidden', d.message);
        case 'invalid':
          throw new AppError('validation_failed', d.message, { field: d.field });
      }
    }
    const version = row.version + 1;
    const updated = await repo.updateStep(
      row.id,
      row.version,
      d.next,
      now,
      proposal ? { dispatchRuleId: proposal.ruleId } : {},
      {
        event: { entry: d.timelineEntry, effects: d.effects, actorName: actorName(caller) },
        outbox: {
          topic: `case.${action}`,
          areaCode: row.areaCode,
          payload: {
            id: row.id,
            number: row.number,
            action,
            status: d.next.status,
            version,
            category: d.next.category,
            districtCode: row.districtCode,
            lng: row.lng,
            lat: row.lat,
            at: now.toISOString(),
          },
        },
        audit: audit.prepare({
          action: `case.${action}`,
          object: `case:${row.id}`,
          ...(isSystem(caller) ? { actor: caller.name } : {}),
          details: { number: row.number, from: fromStatus, to: d.next.status, version },
        }),
      },
    );
    if (!updated) throw staleVersion(row.version);
    // The row as it is now (the caller's object: later steps of this transaction build on it).
    Object.assign(row, updated);
    if (d.timelineEntry.photos.length) await claimPhotos(tx, row.id, d.timelineEntry.photos);
    if (action === 'merge') {
      const into = Number(body.targetCaseId);
      await repo.addEvent(
        into,
        { ...d.timelineEntry, action: 'merged-in', fromStatus: null, data: { from: row.number } },
        [],
        actorName(caller),
      );
    }
    for (const l of listeners) {
      await l(tx, {
        row,
        action,
        fromStatus,
        next: d.next,
        entry: d.timelineEntry,
        actorName: actorName(caller),
        now,
      });
    }
    return { next: d.next, entry: d.timelineEntry };
  }

  async function checkMergeTarget(
    repo: ReturnType<typeof caseRepository>,
    row: CaseRow,
    target: unknown,
    caller: Caller,
  ) {
    const id = Number(target);
    if (!Number.isSafeInteger(id) || id === row.id) {
      throw new AppError('validation_failed', 'targetCaseId must be the id of another case', {
        field: 'targetCaseId',
      });
    }
    const t = await repo.get(id);
    // A case the caller may not see is answered exactly like one that does not exist: nothing
    // about it (number, status) leaves, and no `merged-in` entry is written on it.
    if (!t || (!isSystem(caller) && !canSee(caller, t))) {
      throw new AppError('validation_failed', `Case ${id} does not exist`, { field: 'targetCaseId' });
    }
    if (['closed', 'rejected', 'merged'].includes(t.status)) {
      throw new AppError('validation_failed', `Case ${t.number} is ${t.status}; merge into an open case`, {
        field: 'targetCaseId',
      });
    }
  }

  /** After filing: the system dispatches when the source or the matrix rule says it may. */
  async function autoSteps(tx: Queryable, row: CaseRow, now: Date): Promise<void> {
    const config = deps.config(row.areaCode);
    let s = reviveSnapshot(row.snapshot);
    const policy = config.sources[s.source];
    if (s.status === 'reported' && policy.autoAccept) {
      s = (await apply(tx, row, 'accept', { system: true, name: 'system' }, {}, now)).next;
    }
    if (s.status !== 'filed') return;
    const proposal = await matrixRepository(tx).propose(s.category, s.areaCode);
    if (!proposal) return;
    if (
      policy.autoDispatch ||
      proposal.autoDispatch ||
      categoryListed(config.autoDispatchCategories, s.category)
    ) {
      // The matrix rule's own switch (智能派单 per category and area) enables this one dispatch.
      const withRule = proposal.autoDispatch
        ? { ...config, autoDispatchCategories: [...config.autoDispatchCategories, s.category] }
        : config;
      await apply(tx, row, 'auto-dispatch', { system: true, name: 'system' }, {}, now, withRule);
    }
  }

  async function loadForUpdate(repo: ReturnType<typeof caseRepository>, id: number): Promise<CaseRow> {
    const row = await repo.get(id);
    if (!row) throw caseNotFound(id);
    return row;
  }

  return {
    /** Called inside the transaction of every applied step, after its timeline entry and event. */
    onApplied(listener: AppliedListener): void {
      listeners.push(listener);
    },

    async report(
      input: ReportInput,
      caller: Caller,
    ): Promise<{ case: CaseRow; replayed: boolean; duplicates: DuplicateHit[] }> {
      const now = clock();
      const source = sourceOf(input, caller);
      if (!input.location)
        throw new AppError('validation_failed', 'A location is needed', { field: 'location' });
      const crs = input.location.crs ?? 'wgs84';
      const p = deps.toWgs84(input.location.lng, input.location.lat, crs);
      const owner = isSystem(caller) ? `system:${caller.name}` : `user:${caller.id}`;
      const repo0 = caseRepository(db);
      if (input.idempotencyKey) {
        const existing = await repo0.idempotentCase(owner, input.idempotencyKey);
        if (existing) return { case: (await repo0.get(existing))!, replayed: true, duplicates: [] };
      }
      if (!(await repo0.categoryExists(input.category))) {
        throw new AppError('validation_failed', `Unknown category ${input.category}`, { field: 'category' });
      }
      const where = await deps.locate(p.lng, p.lat);
      if (!where?.district) {
        throw new AppError(
          'validation_failed',
          `The location (${input.location.lng}, ${input.location.lat}, ${crs}) is outside the city`,
          {
            field: 'location',
          },
        );
      }
      const areaCode =
        where.unitGrid?.code ?? where.community?.code ?? where.street?.code ?? where.district.code;
      if (
        !isSystem(caller) &&
        caller.role !== 'inspector' &&
        !areaCode.startsWith(caller.scopeCode) &&
        caller.role !== 'admin'
      ) {
        // Staff report within their area; inspectors and citizens report where they stand.
        throw new AppError('forbidden', `The location is outside your area (${caller.scopeCode})`);
      }
      if (!(await repo0.categoryExists(input.category, areaCode))) {
        throw new AppError('validation_failed', `Category ${input.category} is not used in ${areaCode}`, {
          field: 'category',
        });
      }
      const config = deps.config(areaCode);
      let result: { row: CaseRow; duplicates: DuplicateHit[] };
      try {
        result = await db.transaction(async (tx) => {
          const repo = caseRepository(tx);
          // Duplicates first (a read): the day's number counter below is locked until commit.
          const window = duplicateOptions.windowMinutes * 60_000;
          const near = await repo.duplicateCandidates(
            input.category,
            p.lng,
            p.lat,
            duplicateOptions.radiusMeters,
            new Date(now.getTime() - window),
            new Date(now.getTime() + window),
          );
          const kind = caseKindOf(input.category);
          const { id, seq } = await repo.nextIdAndSequence(caseNumberDay(now), `${kind}${input.category}`);
          const opened = openCase(
            {
              id: String(id),
              source,
              category: input.category,
              ...(input.urgency ? { urgency: input.urgency } : {}),
              areaCode,
              areaClass: where.unitGrid?.areaClass ?? 'C',
              reporter: isSystem(caller)
                ? { id: caller.name, role: 'system' }
                : { id: String(caller.id), role: caller.role },
              note: input.description,
              photos: input.photos ?? [],
              location: p,
            },
            now,
            config,
          );
          const number = caseNumber(kind, input.category, now, seq);
          const row = await repo.insertStep(
            id,
            {
              number,
              snapshot: opened.snapshot,
              description: input.description,
              address: input.address ?? null,
              lng: p.lng,
              lat: p.lat,
              unitGridCode: where.unitGrid?.code ?? null,
              dutyGridCode: where.dutyGrid?.code ?? null,
              communityCode: where.community?.code ?? null,
              streetCode: where.street?.code ?? null,
              districtCode: where.district!.code,
              reporterUserId: isSystem(caller) ? null : caller.id,
              reporterName: input.reporterName ?? (isSystem(caller) ? caller.name : caller.displayName),
              reporterContact: input.reporterContact ?? null,
              deviceId: input.deviceId ?? null,
              externalIds: input.externalIds ?? {},
              at: now,
            },
            {
              event: { entry: opened.timelineEntry, effects: opened.effects, actorName: actorName(caller) },
              outbox: {
                topic: 'case.report',
                areaCode,
                payload: {
                  id,
                  number,
                  action: 'report',
                  status: 'reported',
                  version: 1,
                  category: input.category,
                  districtCode: where.district!.code,
                  lng: p.lng,
                  lat: p.lat,
                  at: now.toISOString(),
                },
              },
              audit: audit.prepare({
                action: 'case.report',
                object: `case:${id}`,
                ...(isSystem(caller) ? { actor: caller.name } : {}),
                details: { number, source, category: input.category },
              }),
            },
          );
          await claimPhotos(tx, id, input.photos ?? []);
          if (input.idempotencyKey) await repo.rememberIdempotency(owner, input.idempotencyKey, id);

          const matches = findDuplicates(
            {
              category: input.category,
              location: p,
              reportedAt: now,
              source,
              deviceId: input.deviceId ?? null,
            },
            near.map((c) => ({
              id: String(c.id),
              category: c.category,
              location: { lng: c.lng, lat: c.lat },
              reportedAt: new Date(c.createdAt),
              status: c.status as CaseSnapshot['status'],
              deviceId: c.deviceId,
            })),
            duplicateOptions,
          );
          // The reporter hears of duplicates only among the cases they may see.
          const hits: DuplicateHit[] = matches.flatMap((m) => {
            const c = near.find((n) => String(n.id) === m.candidate.id)!;
            if (!isSystem(caller) && !canSee(caller, c)) return [];
            return [{ id: c.id, number: c.number, distanceMeters: Math.round(m.distanceMeters) }];
          });
          const target = autoMergeTarget(
            {
              category: input.category,
              location: p,
              reportedAt: now,
              source,
              deviceId: input.deviceId ?? null,
            },
            matches,
            config,
          );
          if (target) {
            await apply(
              tx,
              row,
              'merge',
              { system: true, name: 'system' },
              { targetCaseId: target.candidate.id },
              now,
            );
          } else {
            await autoSteps(tx, row, now);
          }
          return { row, duplicates: hits };
        });
      } catch (e) {
        // Two retries of one report racing each other: the loser answers with the winner's case.
        if (input.idempotencyKey && /idempotency_keys_pkey/.test(String((e as Error).message))) {
          const existing = await repo0.idempotentCase(owner, input.idempotencyKey);
          if (existing) return { case: (await repo0.get(existing))!, replayed: true, duplicates: [] };
        }
        throw e;
      }
      deps.afterCommit?.();
      // The case as this transaction left it (what a read after the commit gave before).
      return { case: result.row, replayed: false, duplicates: result.duplicates };
    },

    async act(id: number, action: string, caller: Caller, body: Record<string, unknown>): Promise<CaseRow> {
      const now = clock();
      const version = body.version;
      if (!Number.isInteger(version)) {
        throw new AppError(
          'validation_failed',
          'version (the case version this action is based on) is required',
          {
            field: 'version',
          },
        );
      }
      // An offline phone replays its queue: an action already applied under this key is not applied again.
      const key = typeof body.idempotencyKey === 'string' ? body.idempotencyKey : undefined;
      const owner = isSystem(caller) ? `system:${caller.name}` : `user:${caller.id}`;
      const replayed = async (): Promise<CaseRow | undefined> => {
        const done = key ? await caseRepository(db).actionKey(owner, key) : undefined;
        if (!done) return undefined;
        if (done.caseId !== id || done.action !== action) {
          throw new AppError(
            'conflict',
            `idempotencyKey was already used for ${done.action} on case ${done.caseId}`,
            { field: 'idempotencyKey' },
          );
        }
        return (await caseRepository(db).get(id))!;
      };
      const earlier = await replayed();
      if (earlier) return earlier;
      let done: CaseRow;
      try {
        done = await db.transaction(async (tx) => {
          const repo = caseRepository(tx);
          const row = await loadForUpdate(repo, id);
          if (!isSystem(caller) && !canSee(caller, row)) throw caseNotFound(id);
          if (row.version !== version) throw staleVersion(row.version);
          const { next } = await apply(tx, row, action, caller, body, now);
          if (next.status === 'filed') await autoSteps(tx, row, now);
          if (key) await repo.rememberActionKey(owner, key, id, action);
          return row;
        });
      } catch (e) {
        // Two replays racing: the loser answers with the winner's result.
        if (key && /case_action_keys_pkey/.test(String((e as Error).message))) {
          const won = await replayed();
          if (won) return won;
        }
        throw e;
      }
      deps.afterCommit?.();
      // The case as this transaction left it (each step's statement answers it), not read again.
      return done;
    },

    async get(id: number, caller: Caller): Promise<CaseRow> {
      const row = await caseRepository(db).get(id);
      // Out of scope is not found: a 403 would confirm the case exists (and used to name it).
      if (!row || (!isSystem(caller) && !canSee(caller, row))) throw caseNotFound(id);
      return row;
    },

    /** The reporter's name and contact in full (show in full, 查看完整信息); each reading is audited. */
    async revealContact(
      id: number,
      caller: Caller,
    ): Promise<{ reporterName: string | null; reporterContact: string | null }> {
      const row = await this.get(id, caller);
      await audit.record(db, {
        action: 'pii.reveal',
        object: `case:${row.id}`,
        details: { number: row.number, fields: ['reporterName', 'reporterContact'] },
      });
      return { reporterName: row.reporterName, reporterContact: row.reporterContact };
    },

    timeline: (id: number) => caseRepository(db).timeline(id),
    propose: (category: string, areaCode: string) => matrixRepository(db).propose(category, areaCode),
  };
}
export type CaseService = ReturnType<typeof caseService>;

export interface DuplicateHit {
  id: number;
  number: string;
  distanceMeters: number;
}

/** A user sees cases in their area; a handler also those dispatched to their department. */
export function canSee(p: Principal, row: Pick<CaseRow, 'areaCode' | 'departmentCode'>): boolean {
  if (p.role === 'handler' && p.departmentCode && row.departmentCode === p.departmentCode) return true;
  return inScope(p, row.areaCode);
}

const caseNotFound = (id: number) => new AppError('not_found', `Case ${id} not found`);

/**
 * Source by right, not by claim: a person reports as what their role may report as (policy.ts);
 * a claim outside that is refused, not quietly replaced, so a client that asks for `camera` learns
 * it cannot have it. Channels (rules, Open311, the public page) call as the system with their own source.
 */
function sourceOf(input: ReportInput, caller: Caller): CaseSource {
  if (isSystem(caller)) {
    const source = input.source ?? 'iot';
    if (!isCaseSource(source)) {
      throw new AppError('validation_failed', `Unknown source ${source}`, { field: 'source' });
    }
    return source;
  }
  const source = sourceFor(caller.role, input.source);
  if (source === undefined) {
    const allowed = reportableSources[caller.role];
    throw new AppError(
      'forbidden',
      allowed.length
        ? `A ${caller.role} may report as ${allowed.join(', ')}, not ${String(input.source)}`
        : `A ${caller.role} does not report cases`,
      { field: 'source', allowed },
    );
  }
  return source;
}

function staleVersion(current: number): AppError {
  return new AppError('stale_version', 'The case has changed since you loaded it; reload and try again', {
    currentVersion: current,
  });
}
