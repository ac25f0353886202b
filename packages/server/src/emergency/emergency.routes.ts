import { type TSchema, Type } from '@sinclair/typebox';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import type { CatalogueService } from './catalogue.service.ts';
import {
  ActivateBody,
  DispatchBody,
  IdParams,
  Incident,
  IncidentSummary,
  IncidentsQuery,
  LevelBody,
  LinkBody,
  NearestQuery,
  NewIncidentBody,
  NoteBody,
  Plan,
  PlanBody,
  ReportBody,
  Resource,
  ResourceBody,
  ResourcesQuery,
  TaskDoneBody,
  TaskParams,
} from './emergency.schema.ts';
import type { IncidentsService } from './incidents.service.ts';

export function emergencyRoutes(app: App, o: { catalogue: CatalogueService; incidents: IncidentsService }) {
  const { catalogue, incidents } = o;
  app.addSchema(Plan);
  app.addSchema(Resource);
  app.addSchema(IncidentSummary);
  app.addSchema(Incident);
  const tags = ['emergency'];
  const base = '/api/v1/emergency';
  const incident = { 200: Type.Ref('EmergencyIncident') };

  // ── Plans ──
  app.get(
    `${base}/plans`,
    {
      config: { access: 'emergency:read' },
      schema: {
        tags,
        summary: 'Plans (应急预案) covering your area or inside it',
        response: { 200: Type.Array(Type.Ref('EmergencyPlan')), ...errors(401, 403) },
      },
    },
    async (request) => catalogue.listPlans(principalOf(request)),
  );
  app.get(
    `${base}/plans/:id`,
    {
      config: { access: 'emergency:read' },
      schema: {
        tags,
        summary: 'One plan',
        params: IdParams,
        response: { 200: Type.Ref('EmergencyPlan'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => catalogue.getPlan(principalOf(request), request.params.id),
  );
  app.post(
    `${base}/plans`,
    {
      config: { access: 'emergency:manage' },
      schema: {
        tags,
        summary:
          'Add a plan: trigger conditions over alarms, vital signs and case categories; SOP steps with departments and time limits',
        body: PlanBody,
        response: { 201: Type.Ref('EmergencyPlan'), ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await catalogue.createPlan(principalOf(request), request.body)),
  );
  app.put(
    `${base}/plans/:id`,
    {
      config: { access: 'emergency:manage' },
      schema: {
        tags,
        summary: 'Replace a plan (activated incidents keep the tasks they were given)',
        params: IdParams,
        body: PlanBody,
        response: { 200: Type.Ref('EmergencyPlan'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => catalogue.updatePlan(principalOf(request), request.params.id, request.body),
  );
  app.delete(
    `${base}/plans/:id`,
    {
      config: { access: 'emergency:manage' },
      schema: {
        tags,
        summary: 'Delete a plan never used (409 otherwise: set it inactive)',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await catalogue.deletePlan(principalOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  // ── Resources ──
  app.get(
    `${base}/resources`,
    {
      config: { access: 'emergency:read' },
      schema: {
        tags,
        summary:
          'Resources (队伍, 车辆, 泵车, 物资储备点, 专家, 避难场所) in an area of your scope, with status and location',
        querystring: ResourcesQuery,
        response: { 200: Type.Array(Type.Ref('EmergencyResource')), ...errors(400, 401, 403) },
      },
    },
    async (request) => catalogue.listResources(principalOf(request), request.query),
  );
  app.get(
    `${base}/resources/nearest`,
    {
      config: { access: 'emergency:read' },
      schema: {
        tags,
        summary:
          'The nearest available resources (of a kind) to a point, straight-line (PostGIS KNN), with distance in metres',
        querystring: NearestQuery,
        response: { 200: Type.Array(Type.Ref('EmergencyResource')), ...errors(400, 401, 403) },
      },
    },
    async (request) => catalogue.nearest(principalOf(request), request.query),
  );
  app.get(
    `${base}/resources/:id`,
    {
      config: { access: 'emergency:read' },
      schema: {
        tags,
        summary: 'One resource',
        params: IdParams,
        response: { 200: Type.Ref('EmergencyResource'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => catalogue.getResource(principalOf(request), request.params.id),
  );
  app.post(
    `${base}/resources`,
    {
      config: { access: 'emergency:manage' },
      schema: {
        tags,
        summary: 'Add a resource',
        body: ResourceBody,
        response: { 201: Type.Ref('EmergencyResource'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await catalogue.createResource(principalOf(request), request.body)),
  );
  app.put(
    `${base}/resources/:id`,
    {
      config: { access: 'emergency:manage' },
      schema: {
        tags,
        summary: 'Replace a resource (stock, capacity, status; a dispatched one comes back at stand-down)',
        params: IdParams,
        body: ResourceBody,
        response: { 200: Type.Ref('EmergencyResource'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => catalogue.updateResource(principalOf(request), request.params.id, request.body),
  );
  app.delete(
    `${base}/resources/:id`,
    {
      config: { access: 'emergency:manage' },
      schema: {
        tags,
        summary: 'Delete a resource never dispatched (409 otherwise: set it unavailable)',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await catalogue.deleteResource(principalOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  // ── Incidents ──
  app.get(
    `${base}/incidents`,
    {
      config: { access: 'emergency:read' },
      schema: {
        tags,
        summary: 'Incidents (突发事件) in an area of your scope, newest first',
        querystring: IncidentsQuery,
        response: { 200: Type.Array(Type.Ref('EmergencyIncidentSummary')), ...errors(400, 401, 403) },
      },
    },
    async (request) => incidents.list(principalOf(request), request.query),
  );
  app.get(
    `${base}/incidents/:id`,
    {
      config: { access: 'emergency:read' },
      schema: {
        tags,
        summary:
          'One incident: cases, alarms, SOP tasks, reports and the next one due, dispatched resources, timeline, who is on duty',
        params: IdParams,
        response: { ...incident, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => incidents.detail(principalOf(request), request.params.id),
  );
  app.post(
    `${base}/incidents`,
    {
      config: { access: 'emergency:act' },
      schema: {
        tags,
        summary: 'Open an incident by hand (proposed until a leader activates a plan); drill: true for 演练',
        body: NewIncidentBody,
        response: { 201: Type.Ref('EmergencyIncident'), ...errors(400, 401, 403) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await incidents.create(principalOf(request), request.body)),
  );
  const post = (
    path: string,
    access: 'emergency:act' | 'emergency:command',
    summary: string,
    body: TSchema,
    handler: (p: ReturnType<typeof principalOf>, id: number, b: never, taskId?: number) => Promise<unknown>,
    params = IdParams as typeof IdParams | typeof TaskParams,
  ) =>
    app.post(
      `${base}/incidents/:id${path}`,
      {
        config: { access },
        schema: {
          tags,
          summary,
          params,
          body,
          response: { ...incident, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const ps = request.params as { id: number; taskId?: number };
        return handler(principalOf(request), ps.id, request.body as never, ps.taskId);
      },
    );
  post(
    '/activate',
    'emergency:command',
    '启动响应: activate a plan at a level (leaders); the SOP becomes tasks',
    ActivateBody,
    (p, id, b: { planId: number; level: number }) => incidents.activate(p, id, b),
  );
  post(
    '/level',
    'emergency:command',
    'Raise or lower the response level (leaders)',
    LevelBody,
    (p, id, b: { level: number }) => incidents.setLevel(p, id, b.level),
  );
  post(
    '/dismiss',
    'emergency:command',
    'Dismiss a proposal after 研判 (leaders)',
    NoteBody,
    (p, id, b: { note: string }) => incidents.dismiss(p, id, b.note),
  );
  post(
    '/stand-down',
    'emergency:command',
    '应急终止: stand down (leaders); dispatched resources are released',
    NoteBody,
    (p, id, b: { note: string }) => incidents.standDown(p, id, b.note),
  );
  post(
    '/links',
    'emergency:act',
    'Link cases and alarms in your scope',
    LinkBody,
    (p, id, b: { caseIds?: number[]; alarmIds?: number[] }) => incidents.link(p, id, b),
  );
  post(
    '/reports',
    'emergency:act',
    '信息报送: first, follow-up and final reports up the levels (the final one closes the incident)',
    ReportBody,
    (p, id, b: { kind: 'first' | 'update' | 'final'; text: string }) => incidents.report(p, id, b),
  );
  post(
    '/dispatch',
    'emergency:act',
    'Dispatch an available resource to the incident',
    DispatchBody,
    (p, id, b: { resourceId: number }) => incidents.dispatch(p, id, b.resourceId),
  );
  post(
    '/tasks/:taskId/done',
    'emergency:act',
    'An SOP task done, with feedback (a department its own tasks)',
    TaskDoneBody,
    (p, id, b: { feedback: string }, taskId) => incidents.taskDone(p, id, taskId!, b.feedback),
    TaskParams,
  );
}
