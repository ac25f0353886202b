import {
  allowedActions,
  type CaseRulesConfig,
  type CaseSnapshot,
  caseSources,
  caseStatuses,
  deadlineState,
  defaultDuplicateOptions,
  haversineMeters,
  isCaseSource,
  needsVerification,
  whoActsNext,
} from '@onegrid/domain';
import { Type } from '@sinclair/typebox';
import type { Principal } from '../auth/auth.service.ts';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { presentReporter } from '../privacy/present.ts';
import type { CaseRepository, CaseRow } from './case.repository.ts';
import { ActionBody, actionParam, type CaseJson, ReportBody } from './case.schema.ts';
import { actorOf, type CaseService, canSee, type DuplicateHit } from './case.service.ts';
import { reviveSnapshot } from './snapshot.ts';

export function toCaseJson(row: CaseRow, now: Date): CaseJson {
  return {
    id: row.id,
    number: row.number,
    status: row.status as CaseJson['status'],
    pending: row.pending,
    version: row.version,
    source: row.source as CaseJson['source'],
    category: row.categoryCode,
    categoryName: row.categoryName,
    urgency: row.urgency,
    description: row.description,
    address: row.address,
    nearAddress: row.nearAddress ?? null,
    nearAddressM:
      row.nearAddressM === null || row.nearAddressM === undefined ? null : Math.round(row.nearAddressM),
    location: { lng: row.lng, lat: row.lat },
    unitGridCode: row.unitGridCode,
    dutyGridCode: row.dutyGridCode,
    communityCode: row.communityCode,
    streetCode: row.streetCode,
    districtCode: row.districtCode,
    areaClass: row.areaClass,
    departmentCode: row.departmentCode,
    departmentName: row.departmentName,
    ...presentReporter(row),
    deviceId: row.deviceId,
    externalIds: row.externalIds ?? {},
    mergedInto: row.mergedInto,
    deadline:
      row.currentStep && row.dueAt && row.warnAt
        ? {
            step: row.currentStep,
            dueAt: new Date(row.dueAt).toISOString(),
            warnAt: new Date(row.warnAt).toISOString(),
            state: deadlineState(
              {
                startedAt: new Date(row.createdAt),
                dueAt: new Date(row.dueAt),
                warnAt: new Date(row.warnAt),
              },
              now,
            ),
          }
        : null,
    closeType: row.closeType as CaseJson['closeType'],
    closedAt: row.closedAt ? new Date(row.closedAt).toISOString() : null,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

/** The source policy as the case detail explains it (why a public report is verified first). */
function sourcePolicyOf(c: CaseSnapshot, config: CaseRulesConfig) {
  const p = config.sources[c.source];
  return {
    verifyBeforeAccept: p.verifyBeforeAccept,
    directFiling: p.directFiling,
    awaitingVerification: needsVerification(c, config),
    machine: p.machine,
    autoAccept: p.autoAccept,
    autoDispatch: p.autoDispatch,
    autoClose: p.autoClose,
  };
}

export interface CaseRoutesDeps {
  db: Queryable;
  cases: CaseService;
  repo: CaseRepository;
  clock: () => Date;
  config: (areaCode?: string) => CaseRulesConfig;
}

export function caseRoutes(app: App, { cases, repo, clock, config, db }: CaseRoutesDeps) {
  /** Names for 下一步办理: the case's department; the inspector sent, or the grid's duty inspectors. */
  async function nextInLine(row: CaseRow, inspectorId: string | null, roles: string[]) {
    const out: { role: string; names: string[] }[] = [];
    for (const role of roles) {
      let names: string[] = [];
      if (role === 'handler' && row.departmentName) names = [row.departmentName];
      if (role === 'inspector') {
        const sent = /^\d+$/.test(inspectorId ?? '');
        const r = sent
          ? await db.query<{ name: string }>('SELECT display_name AS name FROM users WHERE id = $1::bigint', [
              inspectorId,
            ])
          : await db.query<{ name: string }>(
              `SELECT u.display_name AS name FROM duty_grid_inspectors i JOIN users u ON u.id = i.user_id
                WHERE i.duty_grid_code = $1 AND u.active ORDER BY u.id LIMIT 3`,
              [row.dutyGridCode],
            );
        names = r.rows.map((x) => x.name);
      }
      out.push({ role, names });
    }
    return out;
  }

  async function detail(row: CaseRow, p: Principal, duplicates?: DuplicateHit[]): Promise<CaseJson> {
    const snapshot = reviveSnapshot(row.snapshot);
    const proposal =
      row.status === 'filed' || row.status === 'dispatched'
        ? await cases.propose(row.categoryCode, row.areaCode)
        : undefined;
    const timeline = await cases.timeline(row.id);
    const next = whoActsNext(snapshot, config(row.areaCode));
    return {
      ...toCaseJson(row, clock()),
      allowedActions: allowedActions(snapshot, actorOf(p), config(row.areaCode)),
      nextActors: Object.keys(next),
      nextInLine: await nextInLine(row, snapshot.inspectorId, Object.keys(next)),
      sourcePolicy: sourcePolicyOf(snapshot, config(row.areaCode)),
      proposal: proposal
        ? {
            departmentCode: proposal.departmentCode,
            departmentName: proposal.departmentName,
            autoDispatch: proposal.autoDispatch,
            rule: { id: proposal.ruleId, ...proposal.rule },
          }
        : null,
      timeline: timeline.map((e) => ({
        ...e,
        at: new Date(e.at).toISOString(),
        location: e.lng === null || e.lat === null ? null : { lng: e.lng, lat: e.lat },
      })),
      ...(duplicates ? { duplicates } : {}),
    };
  }

  app.post(
    '/api/v1/cases',
    {
      config: { access: 'cases:report' },
      schema: {
        tags: ['cases'],
        summary: 'Report a problem (上报). With an idempotencyKey a retry returns the first case (200).',
        body: ReportBody,
        response: { 200: Type.Ref('Case'), 201: Type.Ref('Case'), ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const r = await cases.report(request.body, p);
      return reply.status(r.replayed ? 200 : 201).send(await detail(r.case, p, r.duplicates));
    },
  );

  app.get(
    '/api/v1/cases',
    {
      config: { access: 'cases:read' },
      schema: {
        tags: ['cases'],
        summary: 'Cases in your area, newest first, with filters and paging',
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.String({
                description: `comma-separated statuses: ${caseStatuses.join(', ')}`,
                maxLength: 500,
              }),
            ),
            category: Type.Optional(Type.String({ pattern: '^(\\d{2}|\\d{5})$' })),
            area: Type.Optional(
              Type.String({ pattern: '^\\d{4,15}$', description: 'district/street/community/grid code' }),
            ),
            source: Type.Optional(
              Type.String({ description: `one of ${caseSources.join(', ')}`, maxLength: 40 }),
            ),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            overdue: Type.Optional(Type.Boolean()),
            warning: Type.Optional(Type.Boolean()),
            pending: Type.Optional(
              Type.Union([Type.Literal('return'), Type.Literal('extension'), Type.Literal('suspension')]),
            ),
            mine: Type.Optional(Type.Boolean({ description: "handlers: only my department's tasks" })),
            reporter: Type.Optional(Type.Literal('me', { description: 'only cases I reported' })),
            q: Type.Optional(Type.String({ maxLength: 100 })),
            page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
            pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          },
          // An unknown filter (`limit=`, a misspelt `staus=`) is refused, never silently ignored.
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Ref('Case')),
            page: Type.Integer(),
            pageSize: Type.Integer(),
            hasMore: Type.Boolean(),
          }),
          ...errors(400, 401),
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const q = request.query;
      const status = q.status?.split(',').filter(Boolean);
      const unknown = status?.filter((x) => !(caseStatuses as readonly string[]).includes(x));
      if (unknown?.length) {
        throw new AppError(
          'validation_failed',
          `querystring/status: unknown status ${unknown.join(', ')} (known: ${caseStatuses.join(', ')})`,
          { field: 'status' },
        );
      }
      if (q.source !== undefined && !isCaseSource(q.source)) {
        throw new AppError(
          'validation_failed',
          `querystring/source must be one of ${caseSources.join(', ')}; got ${q.source}`,
          { field: 'source' },
        );
      }
      const page = q.page ?? 1;
      const pageSize = q.pageSize ?? 50;
      const now = clock();
      const handlerOnly = p.role === 'handler' || q.mine;
      const rows = await repo.list({
        scope: handlerOnly && p.departmentCode ? '' : p.scopeCode,
        departmentCode: handlerOnly ? (p.departmentCode ?? '-') : undefined,
        status,
        category: q.category,
        area: q.area,
        source: q.source,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        overdue: q.overdue,
        warning: q.warning,
        pending: q.pending,
        q: q.q,
        reporterUserId: q.reporter === 'me' ? p.id : undefined,
        limit: pageSize + 1,
        offset: (page - 1) * pageSize,
        now,
      });
      return {
        items: rows.slice(0, pageSize).map((r) => toCaseJson(r, now)),
        page,
        pageSize,
        hasMore: rows.length > pageSize,
      };
    },
  );

  app.get(
    '/api/v1/cases/:id',
    {
      config: { access: 'cases:read' },
      schema: {
        tags: ['cases'],
        summary: 'One case with its timeline, deadlines and what you may do next',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: Type.Ref('Case'), ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return detail(await cases.get(request.params.id, p), p);
    },
  );

  app.get(
    '/api/v1/cases/:id/contact',
    {
      config: { access: 'pii:reveal' },
      schema: {
        tags: ['cases'],
        summary:
          "The reporter's name and contact in full, to call them back (operators, dispatchers, leaders in scope); audited",
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: {
          200: Type.Object({
            reporterName: Type.Union([Type.String(), Type.Null()]),
            reporterContact: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return cases.revealContact(request.params.id, principalOf(request));
    },
  );

  app.get(
    '/api/v1/cases/:id/duplicates',
    {
      config: { access: 'cases:read' },
      schema: {
        tags: ['cases'],
        summary: 'Open cases of the same category near this one (duplicate candidates to merge into)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        querystring: Type.Object({
          radius: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000, description: 'metres' })),
        }),
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.Integer(),
              number: Type.String(),
              status: Type.String(),
              distanceMeters: Type.Number(),
              location: Type.Object({ lng: Type.Number(), lat: Type.Number() }),
              createdAt: Type.String({ format: 'date-time' }),
            }),
          ),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const row = await cases.get(request.params.id, p);
      const radius = request.query.radius ?? Math.max(defaultDuplicateOptions.radiusMeters, 200);
      const window = defaultDuplicateOptions.windowMinutes * 60_000;
      const at = new Date(row.createdAt).getTime();
      const near = await repo.duplicateCandidates(
        row.categoryCode,
        row.lng,
        row.lat,
        radius,
        new Date(at - window),
        new Date(at + window),
      );
      return near
        .filter((c) => c.id !== row.id && canSee(p, c))
        .map((c) => ({
          id: c.id,
          number: c.number,
          status: c.status,
          distanceMeters: Math.round(
            haversineMeters({ lng: row.lng, lat: row.lat }, { lng: c.lng, lat: c.lat }),
          ),
          location: { lng: c.lng, lat: c.lat },
          createdAt: new Date(c.createdAt).toISOString(),
        }));
    },
  );

  app.post(
    '/api/v1/cases/:id/:action',
    {
      config: { access: 'cases:act' },
      schema: {
        tags: ['cases'],
        summary:
          'One step of the loop. 409 stale_version when the case changed since `version`; 409 action_not_allowed with `details.allowed`; 403 for a wrong role or area.',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }), action: actionParam }),
        body: ActionBody,
        response: { 200: Type.Ref('Case'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const body: Record<string, unknown> = { ...request.body };
      for (const k of ['targetCaseId', 'inspectorId'] as const)
        if (body[k] !== undefined) body[k] = String(body[k]);
      const row = await cases.act(request.params.id, request.params.action, p, body);
      return detail(row, p);
    },
  );
}
