import {
  alarmSeverities,
  areaLevels,
  vitalAggregations,
  vitalLevels,
  vitalSources,
  vitalWindows,
} from '@onegrid/domain';
import { type Static, type TSchema, Type } from '@sinclair/typebox';

const literals = (xs: readonly string[], description?: string) =>
  Type.Union(
    xs.map((x) => Type.Literal(x)),
    description ? { description } : {},
  );
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const Level = Nullable(literals(vitalLevels, 'green | yellow | orange | red; null when there is no value'));
const Thresholds = Type.Object(
  {
    yellow: Type.Number(),
    orange: Type.Number(),
    red: Type.Number(),
  },
  { description: 'a value strictly past a threshold takes its colour' },
);
const Name = Type.Object({ zh: Type.String({ minLength: 1 }), en: Type.String({ minLength: 1 }) });
const AreaCode = Type.String({
  pattern: '^\\d{4}(\\d{2}(\\d{3}(\\d{3})?)?)?$',
  description: 'city, district, street or community code',
});

export const VitalsSchema = Type.Object(
  {
    computedAt: Type.String({ format: 'date-time' }),
    area: Type.Object({
      code: Type.String(),
      name: Type.String(),
      level: Level,
    }),
    indicators: Type.Array(
      Type.Object({
        id: Type.String(),
        name: Name,
        unit: Type.String(),
        value: Nullable(Type.Number()),
        level: Level,
        thresholds: Thresholds,
        higherIsWorse: Type.Boolean(),
      }),
    ),
    children: Type.Array(
      Type.Object({
        code: Type.String(),
        name: Type.String(),
        level: Level,
        values: Type.Record(Type.String(), Type.Object({ value: Nullable(Type.Number()), level: Level })),
      }),
      { description: 'the next level down: city → districts → streets → communities' },
    ),
  },
  { $id: 'Vitals' },
);

export const VitalsQuery = Type.Object({
  area: Type.Optional(Type.Union([AreaCode], { description: 'default: your scope' })),
});

export const HistoryQuery = Type.Object({
  area: Type.Optional(AreaCode),
  indicator: Type.String({ pattern: '^[a-z][a-z0-9_]{1,39}$' }),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'default: 24 hours ago' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
});

export const VitalHistorySchema = Type.Object(
  {
    points: Type.Array(
      Type.Object({ at: Type.String({ format: 'date-time' }), value: Nullable(Type.Number()), level: Level }),
    ),
  },
  { $id: 'VitalHistory' },
);

const Filter = Type.Object(
  {
    severity: Type.Optional(Type.Array(literals(alarmSeverities))),
    deviceType: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const ThresholdsByLevel = Type.Object(
  {
    city: Type.Optional(Thresholds),
    district: Type.Optional(Thresholds),
    street: Type.Optional(Thresholds),
    community: Type.Optional(Thresholds),
  },
  { additionalProperties: false, description: 'per area level, overriding thresholds' },
);

const definitionFields = {
  name: Name,
  unit: Type.String({ maxLength: 20 }),
  source: literals(vitalSources),
  measure: Type.String({
    description:
      'cases: open | overdue | new | closed | closed_on_time; alarms: active; devices: online | enabled; field_staff: inspectors; readings: a metric key',
  }),
  aggregation: literals(vitalAggregations),
  of: Type.Optional(Type.String({ description: 'rate: the denominator measure' })),
  over: Type.Optional(Type.Number({ description: 'count_over: the value a reading must exceed' })),
  filter: Type.Optional(Filter),
  window: literals(vitalWindows),
  level: literals(areaLevels, 'the finest area level computed'),
  thresholds: Thresholds,
  thresholdsByLevel: Type.Optional(ThresholdsByLevel),
  higherIsWorse: Type.Boolean(),
  enabled: Type.Boolean(),
  sort: Type.Integer(),
};

export const VitalIndicatorSchema = Type.Object(
  {
    id: Type.String(),
    ...definitionFields,
    builtin: Type.Boolean(),
    version: Type.Integer(),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'VitalIndicator' },
);

export const CreateIndicatorBody = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9_]{1,39}$' }),
    ...definitionFields,
    enabled: Type.Optional(Type.Boolean()),
    sort: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);
export type CreateIndicatorBody = Static<typeof CreateIndicatorBody>;

export const PatchIndicatorBody = Type.Object(
  {
    version: Type.Integer({ minimum: 1, description: 'the version you read; a stale one is refused (409)' }),
    name: Type.Optional(Name),
    unit: Type.Optional(definitionFields.unit),
    source: Type.Optional(definitionFields.source),
    measure: Type.Optional(definitionFields.measure),
    aggregation: Type.Optional(definitionFields.aggregation),
    of: Type.Optional(Nullable(Type.String())),
    over: Type.Optional(Nullable(Type.Number())),
    filter: Type.Optional(Nullable(Filter)),
    window: Type.Optional(definitionFields.window),
    level: Type.Optional(definitionFields.level),
    thresholds: Type.Optional(Thresholds),
    thresholdsByLevel: Type.Optional(Nullable(ThresholdsByLevel)),
    higherIsWorse: Type.Optional(Type.Boolean()),
    enabled: Type.Optional(Type.Boolean()),
    sort: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);
export type PatchIndicatorBody = Static<typeof PatchIndicatorBody>;
