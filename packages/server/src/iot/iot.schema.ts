import { type TSchema, Type } from '@sinclair/typebox';

/** Request and response schemas of the IoT API: validation, types and the OpenAPI document. */
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Value = Type.Union([Type.Number(), Type.Boolean(), Type.String()]);
const Free = Type.Object({}, { additionalProperties: true });

export const Point = Type.Object({ lng: Type.Number(), lat: Type.Number() });
export const LocationIn = Type.Object({
  lng: Type.Number({ minimum: -180, maximum: 180 }),
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02'), Type.Literal('bd09')])),
});

export const MetricSchema = Type.Object({
  key: Type.String(),
  unit: Type.String(),
  type: Type.Union([Type.Literal('number'), Type.Literal('boolean'), Type.Literal('string')]),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
  name_zh: Type.Optional(Type.String()),
});

export const DeviceTypeSchema = Type.Object(
  {
    id: Type.String(),
    nameZh: Type.String(),
    nameEn: Type.String(),
    metrics: Type.Array(MetricSchema),
    expectedIntervalS: Type.Integer(),
    builtin: Type.Boolean(),
  },
  { $id: 'DeviceType' },
);

const deviceFields = {
  id: Type.String(),
  typeId: Type.String(),
  name: Type.String(),
  location: Nullable(Point),
  componentId: Nullable(Type.String()),
  unitGridCode: Nullable(Type.String()),
  ownerDeptCode: Nullable(Type.String()),
  status: Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('disabled')]),
  lastSeenAt: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
};
export const DeviceSchema = Type.Object(deviceFields, { $id: 'Device' });
export const DeviceDetailSchema = Type.Object(
  {
    ...deviceFields,
    latest: Type.Array(Type.Object({ metric: Type.String(), ts: Type.String(), value: Nullable(Value) })),
    ingestErrors: Type.Array(
      Type.Object({
        code: Type.String(),
        count: Type.Integer(),
        lastAt: Type.String(),
        lastDetail: Nullable(Type.String()),
      }),
    ),
  },
  { $id: 'DeviceDetail' },
);

const DeviceId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
export const DeviceCreateBody = Type.Object(
  {
    id: Type.Optional(DeviceId),
    typeId: Type.String({ minLength: 1 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    location: Nullable(LocationIn),
    componentId: Type.Optional(Nullable(Type.String())),
    ownerDeptCode: Type.Optional(Nullable(Type.String())),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const DevicePatchBody = Type.Object(
  {
    typeId: Type.Optional(Type.String({ minLength: 1 })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    location: Type.Optional(Nullable(LocationIn)),
    componentId: Type.Optional(Nullable(Type.String())),
    ownerDeptCode: Type.Optional(Nullable(Type.String())),
    disabled: Type.Optional(Type.Boolean()),
    rotateToken: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const DeviceIdParams = Type.Object({ id: DeviceId });

export const Severity = Type.Union([
  Type.Literal('critical'),
  Type.Literal('major'),
  Type.Literal('minor'),
  Type.Literal('warning'),
]);

export const RuleSchema = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    deviceTypeId: Nullable(Type.String()),
    deviceId: Nullable(Type.String()),
    condition: Free,
    severity: Severity,
    enabled: Type.Boolean(),
    caseCategory: Nullable(Type.String()),
    caseUrgency: Nullable(Type.String()),
    version: Type.Integer(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { $id: 'Rule' },
);
const ruleWriteFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  deviceTypeId: Type.Optional(Nullable(Type.String())),
  deviceId: Type.Optional(Nullable(Type.String())),
  condition: Type.Unknown({
    description: 'A rule node: threshold, equals, duration, rate, noData, all, any',
  }),
  severity: Severity,
  enabled: Type.Optional(Type.Boolean()),
  caseCategory: Type.Optional(Nullable(Type.String())),
  caseUrgency: Type.Optional(Nullable(Type.String())),
};
export const RuleCreateBody = Type.Object(ruleWriteFields, { additionalProperties: false });
export const RulePatchBody = Type.Partial(Type.Object(ruleWriteFields), { additionalProperties: false });

const alarmFields = {
  id: Type.Integer(),
  ruleId: Type.Integer(),
  ruleName: Type.String(),
  deviceId: Type.String(),
  deviceName: Type.String(),
  deviceTypeId: Type.String(),
  severity: Severity,
  areaCode: Nullable(Type.String()),
  location: Nullable(Point),
  acknowledged: Type.Boolean(),
  acknowledgedBy: Nullable(Type.Integer()),
  acknowledgedAt: Nullable(Type.String()),
  cleared: Type.Boolean(),
  clearedAt: Nullable(Type.String()),
  raisedAt: Type.String(),
  updatedAt: Type.String(),
  lastValue: Nullable(Value),
  updateCount: Type.Integer(),
  detail: Free,
  caseId: Nullable(Type.Integer({ description: 'the case this alarm filed or joined' })),
  caseNumber: Nullable(Type.String()),
};
export const AlarmSchema = Type.Object(alarmFields, { $id: 'Alarm' });
export const AlarmEventSchema = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  kind: Type.String(),
  userId: Nullable(Type.Integer()),
  detail: Free,
});
export const AlarmDetailSchema = Type.Object(
  { ...alarmFields, events: Type.Array(AlarmEventSchema) },
  { $id: 'AlarmDetail' },
);

export const Paging = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
};

export const TelemetryBody = Type.Object({
  deviceId: Type.Optional(Type.String({ maxLength: 64 })),
  readings: Type.Array(
    Type.Object({
      deviceId: Type.Optional(Type.String({ maxLength: 64 })),
      ts: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
      values: Type.Unknown(),
    }),
    { minItems: 1, maxItems: 10_000 },
  ),
});
export const TelemetryResult = Type.Object({
  accepted: Type.Integer({ description: 'readings (metric values) stored' }),
  rejected: Type.Integer({ description: 'readings or messages refused' }),
  results: Type.Array(
    Type.Object({
      index: Type.Integer(),
      deviceId: Type.String(),
      accepted: Type.Integer(),
      errors: Type.Array(
        Type.Object({ code: Type.String(), message: Type.String(), metric: Type.Optional(Type.String()) }),
      ),
    }),
  ),
});

export const iotSchemas = [
  DeviceTypeSchema,
  DeviceSchema,
  DeviceDetailSchema,
  RuleSchema,
  AlarmSchema,
  AlarmDetailSchema,
];
