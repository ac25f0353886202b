import { dutyLogKinds, dutyPosts } from '@onegrid/domain';
import { type Static, Type } from '@sinclair/typebox';

const AreaCode = Type.String({
  pattern: '^\\d{4}(\\d{2}(\\d{3}(\\d{3}(\\d{3})?)?)?)?$',
  description: 'an area code',
});
const PlatformCode = Type.String({
  pattern: '^\\d{4}(\\d{2}(\\d{3})?)?$',
  description: 'a duty platform: city (4 digits), district (6) or street (9)',
});
const Time = Type.String({ format: 'date-time' });
const Id = Type.Integer({ minimum: 1, maximum: 2 ** 53 - 1 });

export const DutyShift = Type.Object(
  {
    id: Type.Integer(),
    areaCode: Type.String(),
    areaName: Type.String(),
    userId: Type.Integer(),
    username: Type.String(),
    displayName: Type.String(),
    post: Type.Union(dutyPosts.map((p) => Type.Literal(p))),
    startsAt: Time,
    endsAt: Time,
    handoverNote: Type.Union([Type.String(), Type.Null()]),
    handedOverAt: Type.Union([Time, Type.Null()]),
  },
  { $id: 'DutyShift' },
);
export type DutyShiftJson = Static<typeof DutyShift>;

export const DutyNow = Type.Object(
  {
    area: Type.String({ description: 'the area asked about' }),
    platform: Type.Union([
      Type.Object({ code: Type.String(), name: Type.String(), level: Type.String() }),
      Type.Null(),
    ]),
    onDuty: Type.Array(Type.Ref('DutyShift'), { description: 'leaders in charge first' }),
  },
  { $id: 'DutyNow' },
);
export type DutyNowJson = Static<typeof DutyNow>;

export const DutyNowQuery = Type.Object({
  area: Type.Optional(AreaCode),
});

export const ShiftsQuery = Type.Object({
  area: Type.Optional(AreaCode),
  from: Type.Optional(Time),
  to: Type.Optional(Time),
});
export type ShiftsQuery = Static<typeof ShiftsQuery>;

export const NewShiftBody = Type.Object(
  {
    areaCode: PlatformCode,
    userId: Id,
    post: Type.Union(dutyPosts.map((p) => Type.Literal(p))),
    startsAt: Time,
    endsAt: Time,
  },
  { additionalProperties: false },
);
export type NewShiftBody = Static<typeof NewShiftBody>;

export const HandoverBody = Type.Object(
  { note: Type.String({ minLength: 1, maxLength: 4000 }) },
  { additionalProperties: false },
);

export const DutyLogEntry = Type.Object(
  {
    id: Type.Integer(),
    areaCode: Type.String(),
    at: Time,
    userId: Type.Union([Type.Integer(), Type.Null()]),
    displayName: Type.Union([Type.String(), Type.Null()]),
    shiftId: Type.Union([Type.Integer(), Type.Null()]),
    kind: Type.Union(dutyLogKinds.map((k) => Type.Literal(k))),
    text: Type.String(),
    ref: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'DutyLogEntry' },
);
export type DutyLogEntryJson = Static<typeof DutyLogEntry>;

export const NewLogBody = Type.Object(
  {
    areaCode: PlatformCode,
    kind: Type.Union(
      dutyLogKinds.filter((k) => k !== 'handover').map((k) => Type.Literal(k)),
      { description: 'handovers are written by the handover route' },
    ),
    text: Type.String({ minLength: 1, maxLength: 4000 }),
    ref: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type NewLogBody = Static<typeof NewLogBody>;

export const LogQuery = Type.Object({
  area: Type.Optional(AreaCode),
  from: Type.Optional(Time),
  to: Type.Optional(Time),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});
export type LogQuery = Static<typeof LogQuery>;

export const ShiftIdParams = Type.Object({ id: Id });
