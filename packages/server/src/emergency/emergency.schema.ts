import {
  incidentStatuses,
  incidentTypes,
  reportKinds,
  resourceKinds,
  resourceStatuses,
  triggerScopes,
} from '@onegrid/domain';
import { type Static, type TSchema, Type } from '@sinclair/typebox';

const lit = <T extends string>(xs: readonly T[]) => Type.Union(xs.map((x) => Type.Literal(x)));
// Null first: Ajv coerces types, and would read null as "" for a string tried first.
const Nullable = <T extends TSchema>(t: T) => Type.Union([Type.Null(), t]);
const Time = Type.String({ format: 'date-time' });
const Id = Type.Integer({ minimum: 1, maximum: 2 ** 53 - 1 });
const AreaCode = Type.String({ pattern: '^\\d{4}(\\d{2}(\\d{3}(\\d{3})?)?)?$', description: 'an area code' });
const Level = Type.Integer({
  minimum: 1,
  maximum: 4,
  description: '1 特别重大 I · 2 重大 II · 3 较大 III · 4 一般 IV',
});
const Lng = Type.Number({ minimum: 73, maximum: 136 });
const Lat = Type.Number({ minimum: 3, maximum: 54 });

export const IdParams = Type.Object({ id: Id });
export const TaskParams = Type.Object({ id: Id, taskId: Id });

// ── Plans ─────────────────────────────────────────────────────────────────────────────────
const Minutes = Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 });
export const PlanTrigger = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('alarms'),
      deviceType: Type.Optional(Type.String({ maxLength: 40 })),
      minDevices: Type.Integer({ minimum: 1, maximum: 10000 }),
      withinMinutes: Minutes,
      per: lit(triggerScopes),
      level: Type.Optional(Level),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('vital'),
      indicator: Type.String({ minLength: 1, maxLength: 64 }),
      atLeast: lit(['yellow', 'orange', 'red'] as const),
      level: Type.Optional(Level),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('cases'),
      categories: Type.Array(Type.String({ pattern: '^\\d{2,8}$' }), { minItems: 1, maxItems: 50 }),
      minCases: Type.Integer({ minimum: 1, maximum: 10000 }),
      withinMinutes: Minutes,
      per: lit(triggerScopes),
      level: Type.Optional(Level),
    },
    { additionalProperties: false },
  ),
]);
export const PlanStep = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    departmentCode: Nullable(Type.String({ maxLength: 64 })),
    limitMinutes: Minutes,
  },
  { additionalProperties: false },
);
export const PlanBody = Type.Object(
  {
    code: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    incidentType: lit(incidentTypes),
    areaCode: AreaCode,
    level: Level,
    triggers: Type.Array(PlanTrigger, { minItems: 1, maxItems: 20 }),
    steps: Type.Array(PlanStep, { minItems: 1, maxItems: 100 }),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type PlanBody = Static<typeof PlanBody>;
export const Plan = Type.Object(
  {
    id: Type.Integer(),
    code: Type.String(),
    name: Type.String(),
    incidentType: lit(incidentTypes),
    areaCode: Type.String(),
    level: Type.Integer(),
    triggers: Type.Array(PlanTrigger),
    steps: Type.Array(PlanStep),
    active: Type.Boolean(),
    version: Type.Integer(),
  },
  { $id: 'EmergencyPlan' },
);
export type PlanJson = Static<typeof Plan>;

// ── Resources ─────────────────────────────────────────────────────────────────────────────
const StockItem = Type.Object(
  {
    item: Type.String({ minLength: 1, maxLength: 100 }),
    unit: Type.String({ minLength: 1, maxLength: 20 }),
    quantity: Type.Number({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export const ResourceBody = Type.Object(
  {
    kind: lit(resourceKinds),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    areaCode: AreaCode,
    lng: Lng,
    lat: Lat,
    status: Type.Optional(lit(resourceStatuses)),
    capacity: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    stock: Type.Optional(Type.Array(StockItem, { maxItems: 200 })),
    departmentCode: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    contact: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  },
  { additionalProperties: false },
);
export type ResourceBody = Static<typeof ResourceBody>;
export const Resource = Type.Object(
  {
    id: Type.Integer(),
    kind: lit(resourceKinds),
    name: Type.String(),
    areaCode: Type.String(),
    lng: Type.Number(),
    lat: Type.Number(),
    status: lit(resourceStatuses),
    capacity: Nullable(Type.Integer()),
    stock: Type.Array(StockItem),
    departmentCode: Nullable(Type.String()),
    contact: Nullable(Type.String()),
    version: Type.Integer(),
    distanceM: Type.Optional(Type.Number({ description: 'metres from the point asked about (nearest)' })),
    incidentId: Type.Optional(Nullable(Type.Integer({ description: 'the incident it is dispatched to' }))),
  },
  { $id: 'EmergencyResource' },
);
export type ResourceJson = Static<typeof Resource>;
export const ResourcesQuery = Type.Object({
  kind: Type.Optional(lit(resourceKinds)),
  status: Type.Optional(lit(resourceStatuses)),
  area: Type.Optional(AreaCode),
});
export const NearestQuery = Type.Object({
  lng: Lng,
  lat: Lat,
  kind: Type.Optional(lit(resourceKinds)),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
});
export type NearestQuery = Static<typeof NearestQuery>;

// ── Incidents ─────────────────────────────────────────────────────────────────────────────
export const NewIncidentBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    incidentType: lit(incidentTypes),
    level: Level,
    areaCode: AreaCode,
    lng: Type.Optional(Lng),
    lat: Type.Optional(Lat),
    drill: Type.Optional(
      Type.Boolean({ description: '演练: no real notifications, marked as a drill everywhere' }),
    ),
    caseIds: Type.Optional(Type.Array(Id, { maxItems: 500 })),
    alarmIds: Type.Optional(Type.Array(Id, { maxItems: 500 })),
  },
  { additionalProperties: false },
);
export type NewIncidentBody = Static<typeof NewIncidentBody>;
export const LinkBody = Type.Object(
  {
    caseIds: Type.Optional(Type.Array(Id, { maxItems: 500 })),
    alarmIds: Type.Optional(Type.Array(Id, { maxItems: 500 })),
  },
  { additionalProperties: false },
);
export const ActivateBody = Type.Object({ planId: Id, level: Level }, { additionalProperties: false });
export const NoteBody = Type.Object(
  { note: Type.String({ minLength: 1, maxLength: 4000 }) },
  { additionalProperties: false },
);
export const LevelBody = Type.Object({ level: Level }, { additionalProperties: false });
export const ReportBody = Type.Object(
  { kind: lit(reportKinds), text: Type.String({ minLength: 1, maxLength: 8000 }) },
  { additionalProperties: false },
);
export const TaskDoneBody = Type.Object(
  { feedback: Type.String({ minLength: 1, maxLength: 4000 }) },
  { additionalProperties: false },
);
export const DispatchBody = Type.Object({ resourceId: Id }, { additionalProperties: false });
export const IncidentsQuery = Type.Object({
  status: Type.Optional(lit(incidentStatuses)),
  area: Type.Optional(AreaCode),
  open: Type.Optional(Type.Boolean({ description: 'proposed or active only' })),
});

export const IncidentSummary = Type.Object(
  {
    id: Type.Integer(),
    title: Type.String(),
    incidentType: lit(incidentTypes),
    level: Type.Integer(),
    status: lit(incidentStatuses),
    drill: Type.Boolean(),
    areaCode: Type.String(),
    areaName: Type.String(),
    lng: Nullable(Type.Number()),
    lat: Nullable(Type.Number()),
    planId: Nullable(Type.Integer()),
    planName: Nullable(Type.String()),
    proposedPlanId: Nullable(Type.Integer()),
    reason: Nullable(Type.String()),
    createdAt: Time,
    activatedAt: Nullable(Time),
    stoodDownAt: Nullable(Time),
    closedAt: Nullable(Time),
    version: Type.Integer(),
  },
  { $id: 'EmergencyIncidentSummary' },
);
export type IncidentSummaryJson = Static<typeof IncidentSummary>;

const Task = Type.Object({
  id: Type.Integer(),
  stepNo: Type.Integer(),
  title: Type.String(),
  departmentCode: Nullable(Type.String()),
  departmentName: Nullable(Type.String()),
  dueAt: Time,
  status: lit(['open', 'done'] as const),
  doneAt: Nullable(Time),
  doneBy: Nullable(Type.String()),
  feedback: Nullable(Type.String()),
  overdue: Type.Boolean(),
});
const Report = Type.Object({
  id: Type.Integer(),
  kind: lit(reportKinds),
  toArea: Type.String(),
  toAreaName: Type.String(),
  dueAt: Time,
  sentAt: Time,
  onTime: Type.Boolean(),
  sentBy: Nullable(Type.String()),
  text: Type.String(),
});
const Dispatch = Type.Object({
  id: Type.Integer(),
  resourceId: Type.Integer(),
  kind: lit(resourceKinds),
  name: Type.String(),
  lng: Type.Number(),
  lat: Type.Number(),
  dispatchedAt: Time,
  distanceM: Nullable(Type.Number()),
  releasedAt: Nullable(Time),
});
const TimelineEntry = Type.Object({
  at: Time,
  actor: Type.String(),
  kind: Type.String(),
  text: Type.String(),
});
const LinkedCase = Type.Object({
  id: Type.Integer(),
  number: Type.String(),
  status: Type.String(),
  categoryCode: Type.String(),
  lng: Type.Number(),
  lat: Type.Number(),
});
const LinkedAlarm = Type.Object({
  id: Type.Integer(),
  deviceId: Type.String(),
  deviceName: Type.String(),
  ruleName: Type.String(),
  severity: Type.String(),
  cleared: Type.Boolean(),
  raisedAt: Time,
  lng: Nullable(Type.Number()),
  lat: Nullable(Type.Number()),
});
export const Incident = Type.Composite(
  [
    IncidentSummary,
    Type.Object({
      cases: Type.Array(LinkedCase),
      alarms: Type.Array(LinkedAlarm),
      tasks: Type.Array(Task),
      reports: Type.Array(Report),
      nextReport: Nullable(
        Type.Object({ kind: lit(reportKinds), dueAt: Time, toArea: Type.String(), overdue: Type.Boolean() }),
      ),
      dispatches: Type.Array(Dispatch),
      timeline: Type.Array(TimelineEntry),
      onDuty: Type.Ref('DutyNow'),
    }),
  ],
  { $id: 'EmergencyIncident' },
);
export type IncidentJson = Static<typeof Incident>;
