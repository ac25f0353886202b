/** Request and response shapes of the command screen's API (综合指挥屏). */
import { Type } from '@sinclair/typebox';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
const AreaCode = Type.String({
  pattern: '^\\d{4,15}$',
  description: 'city, district, street, community or unit grid code',
});

export const AreaQuery = Type.Object({ area: Type.Optional(AreaCode) });

export const CommandCasesSchema = Type.Object(
  {
    total: Type.Integer(),
    statuses: Type.Array(Type.String(), { description: 'the status names `status` indexes into' }),
    cases: Type.Object(
      {
        id: Type.Array(Type.Integer()),
        lng: Type.Array(Type.Number()),
        lat: Type.Array(Type.Number()),
        major: Type.Array(Type.String(), { description: 'category main class (2 digits)' }),
        urgent: Type.Array(Type.Integer({ minimum: 0, maximum: 1 })),
        status: Type.Array(Type.Integer({ description: 'index into `statuses`' })),
        overdue: Type.Array(Type.Integer({ minimum: 0, maximum: 1 })),
      },
      { description: 'columnar: the n-th entry of every array is the n-th case' },
    ),
  },
  { $id: 'CommandCases' },
);

export const CaseSummarySchema = Type.Object(
  {
    total: Type.Integer({ description: 'open cases in the area' }),
    level: Type.Union([Type.Literal('street'), Type.Literal('grid')], {
      description: 'what the groups are: streets for a city or district, unit grids below',
    }),
    bbox: Type.Union(
      [Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()]), Type.Null()],
      {
        description: 'the area’s extent, for the map to fit before the drill-down figures arrive',
      },
    ),
    groups: Type.Object({
      code: Type.Array(Type.String()),
      lng: Type.Array(Type.Number(), { description: 'mean position of the group’s open cases' }),
      lat: Type.Array(Type.Number()),
      count: Type.Array(Type.Integer()),
      urgent: Type.Array(Type.Integer()),
    }),
  },
  { $id: 'CommandCaseSummary' },
);

const TrackPoint = Type.Tuple([Type.Number(), Type.Number(), Type.Integer()], {
  description: '[lng, lat, epoch seconds]',
});
export const InspectorPositionSchema = Type.Object(
  {
    userId: Type.Integer(),
    name: Type.String(),
    lng: Type.Number(),
    lat: Type.Number(),
    at: Type.String(),
    unitGridCode: Nullable(Type.String()),
    track: Type.Array(TrackPoint),
  },
  { $id: 'InspectorPosition' },
);

export const ReplayQuery = Type.Object({
  from: Type.String({ description: 'ISO instant or a date (midnight in Shanghai)' }),
  to: Type.String(),
  area: Type.Optional(AreaCode),
});
export const ReplayEventSchema = Type.Object(
  {
    at: Type.String(),
    kind: Type.Union([Type.Literal('case'), Type.Literal('alarm')]),
    id: Type.Integer({ description: 'case id or alarm id' }),
    action: Type.String({ description: 'case action (report, dispatch, close…) or alarm raised/cleared' }),
    lng: Type.Number(),
    lat: Type.Number(),
    status: Nullable(Type.String()),
    major: Nullable(Type.String()),
    urgent: Type.Boolean(),
    severity: Nullable(Type.String()),
    number: Nullable(Type.String()),
  },
  { $id: 'ReplayEvent' },
);
export const ReplaySchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  truncated: Type.Boolean(),
  initial: Type.Array(Type.Ref('ReplayEvent'), {
    description:
      'what was on the map at `from`: each case open then with its last step before it, each alarm active then with its raise',
  }),
  events: Type.Array(Type.Ref('ReplayEvent')),
});

export const FocusQuery = Type.Object({
  case: Type.Optional(Type.Integer({ minimum: 1 })),
  alarm: Type.Optional(Type.Integer({ minimum: 1 })),
});
const NearInspector = Type.Object({
  userId: Type.Integer(),
  name: Type.String(),
  distanceM: Type.Number(),
  lng: Type.Number(),
  lat: Type.Number(),
  at: Type.String(),
});
export const FocusSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('case'), Type.Literal('alarm')]),
    id: Type.Integer(),
    title: Type.String(),
    lng: Type.Number(),
    lat: Type.Number(),
    areaCode: Nullable(Type.String()),
    case: Type.Union([
      Type.Object({
        id: Type.Integer(),
        number: Type.String(),
        status: Type.String(),
        category: Type.String(),
        categoryName: Nullable(Type.String()),
        urgency: Type.String(),
        source: Type.String(),
        description: Type.String(),
        address: Nullable(Type.String()),
        createdAt: Type.String(),
        dueAt: Nullable(Type.String()),
        overdue: Type.Boolean(),
      }),
      Type.Null(),
    ]),
    alarm: Type.Union([
      Type.Object({
        id: Type.Integer(),
        severity: Type.String(),
        ruleName: Type.String(),
        deviceId: Type.String(),
        deviceName: Type.String(),
        raisedAt: Type.String(),
        cleared: Type.Boolean(),
        lastValue: Type.Unknown(),
      }),
      Type.Null(),
    ]),
    department: Type.Union([
      Type.Object({ code: Type.String(), name: Type.String(), phone: Nullable(Type.String()) }),
      Type.Null(),
    ]),
    inspectors: Type.Array(NearInspector, { description: 'nearest first (latest position, last 2 h)' }),
    timeline: Type.Array(
      Type.Object({
        at: Type.String(),
        action: Type.String(),
        status: Nullable(Type.String()),
        actor: Nullable(Type.String()),
        note: Nullable(Type.String()),
      }),
    ),
  },
  { $id: 'CommandFocus' },
);

const Counted = Type.Object({ code: Type.String(), name: Type.String(), count: Type.Integer() });
const AreaLevel = Type.String({ description: 'city, district, street, community or grid' });
export const AreaFiguresSchema = Type.Object(
  {
    area: Type.Object({ code: Type.String(), name: Type.String(), level: AreaLevel }),
    path: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), level: AreaLevel }), {
      description: 'breadcrumbs from the caller’s scope down to this area',
    }),
    bbox: Type.Union([Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()]), Type.Null()]),
    totals: Type.Object({
      open: Type.Integer(),
      urgent: Type.Integer(),
      overdue: Type.Integer(),
      newToday: Type.Integer(),
      closedToday: Type.Integer(),
    }),
    children: Type.Array(
      Type.Object({
        code: Type.String(),
        name: Type.String(),
        level: AreaLevel,
        open: Type.Integer(),
        urgent: Type.Integer(),
        overdue: Type.Integer(),
        newToday: Type.Integer(),
        lng: NullableNumber,
        lat: NullableNumber,
      }),
    ),
    byCategory: Type.Array(Counted),
    bySource: Type.Array(Counted),
    byStatus: Type.Array(Counted),
    trend: Type.Array(Type.Object({ day: Type.String(), reported: Type.Integer(), closed: Type.Integer() })),
    grid: Type.Union([
      Type.Object({
        cases: Type.Array(
          Type.Object({
            id: Type.Integer(),
            number: Type.String(),
            status: Type.String(),
            category: Type.String(),
            urgency: Type.String(),
            description: Type.String(),
          }),
        ),
        components: Type.Array(
          Type.Object({
            id: Type.String(),
            name: Type.String(),
            status: Type.String(),
            owner: Type.String(),
          }),
        ),
        devices: Type.Array(
          Type.Object({
            id: Type.String(),
            name: Type.String(),
            typeId: Type.String(),
            status: Type.String(),
          }),
        ),
        inspectors: Type.Array(
          Type.Object({ userId: Type.Integer(), name: Type.String(), at: Type.String() }),
        ),
      }),
      Type.Null(),
    ]),
  },
  { $id: 'AreaFigures' },
);

export const commandSchemas = [
  CommandCasesSchema,
  CaseSummarySchema,
  InspectorPositionSchema,
  ReplayEventSchema,
  FocusSchema,
  AreaFiguresSchema,
];
