import { caseActionNames, caseSources, caseStatuses, closeTypes } from '@onegrid/domain';
import { type Static, Type } from '@sinclair/typebox';

const Point = Type.Object({ lng: Type.Number(), lat: Type.Number() });

export const CaseSchema = Type.Object(
  {
    id: Type.Integer(),
    number: Type.String({ description: 'Readable number: C|E + category + YYYYMMDD + sequence' }),
    status: Type.Union(caseStatuses.map((s) => Type.Literal(s))),
    pending: Type.Union([Type.String(), Type.Null()], {
      description: 'return | extension | suspension request waiting',
    }),
    version: Type.Integer({ description: 'Send it back with every action (optimistic concurrency)' }),
    source: Type.Union(caseSources.map((s) => Type.Literal(s))),
    category: Type.String(),
    categoryName: Type.Union([Type.String(), Type.Null()]),
    urgency: Type.Union([Type.Literal('urgent'), Type.Literal('normal')]),
    description: Type.String(),
    address: Type.Union([Type.String(), Type.Null()]),
    nearAddress: Type.Union([Type.String(), Type.Null()], {
      description: 'The standard address nearest to the point when the case was filed (within 300 m)',
    }),
    nearAddressM: Type.Union([Type.Number(), Type.Null()], { description: 'Its distance in metres' }),
    location: Point,
    unitGridCode: Type.Union([Type.String(), Type.Null()]),
    dutyGridCode: Type.Union([Type.String(), Type.Null()]),
    communityCode: Type.Union([Type.String(), Type.Null()]),
    streetCode: Type.Union([Type.String(), Type.Null()]),
    districtCode: Type.String(),
    areaClass: Type.String(),
    departmentCode: Type.Union([Type.String(), Type.Null()]),
    departmentName: Type.Union([Type.String(), Type.Null()]),
    reporterName: Type.Union([Type.String(), Type.Null()]),
    reporterContact: Type.Union([Type.String(), Type.Null()], { description: 'masked (脱敏)' }),
    deviceId: Type.Union([Type.String(), Type.Null()]),
    externalIds: Type.Record(Type.String(), Type.String()),
    mergedInto: Type.Union([Type.Integer(), Type.Null()]),
    deadline: Type.Union([
      Type.Object({
        step: Type.String(),
        dueAt: Type.String({ format: 'date-time' }),
        warnAt: Type.String({ format: 'date-time' }),
        state: Type.Union([Type.Literal('ok'), Type.Literal('warning'), Type.Literal('overdue')]),
      }),
      Type.Null(),
    ]),
    closeType: Type.Union([Type.Union(closeTypes.map((c) => Type.Literal(c))), Type.Null()]),
    closedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    allowedActions: Type.Optional(Type.Array(Type.String(), { description: 'what the caller may do now' })),
    nextActors: Type.Optional(Type.Array(Type.String(), { description: 'roles who act next' })),
    nextInLine: Type.Optional(
      Type.Array(
        Type.Object({
          role: Type.String(),
          names: Type.Array(Type.String(), {
            description:
              'the department, or the inspectors, next in line; empty when any of the role may act',
          }),
        }),
        { description: 'who acts next, by name where the case says who (下一步办理)' },
      ),
    ),
    sourcePolicy: Type.Optional(
      Type.Object(
        {
          verifyBeforeAccept: Type.Boolean({ description: 'verified on site (派发核实) before it is filed' }),
          directFiling: Type.Boolean({ description: 'an operator may file it unverified with a reason' }),
          awaitingVerification: Type.Boolean({
            description: 'the policy wants it verified and it is not yet',
          }),
          machine: Type.Boolean(),
          autoAccept: Type.Boolean(),
          autoDispatch: Type.Boolean(),
          autoClose: Type.Boolean(),
        },
        { description: "what the case's source changes in the loop (the city's source policy)" },
      ),
    ),
    proposal: Type.Optional(
      Type.Union([
        Type.Object({
          departmentCode: Type.String(),
          departmentName: Type.String(),
          autoDispatch: Type.Boolean(),
          rule: Type.Object({ id: Type.Integer(), category: Type.String(), areaCode: Type.String() }),
        }),
        Type.Null(),
      ]),
    ),
    timeline: Type.Optional(
      Type.Array(
        Type.Object({
          seq: Type.Integer(),
          action: Type.String(),
          actorId: Type.String(),
          actorName: Type.Union([Type.String(), Type.Null()]),
          actorRole: Type.String(),
          at: Type.String({ format: 'date-time' }),
          fromStatus: Type.Union([Type.String(), Type.Null()]),
          toStatus: Type.String(),
          fromPending: Type.Union([Type.String(), Type.Null()]),
          toPending: Type.Union([Type.String(), Type.Null()]),
          note: Type.Union([Type.String(), Type.Null()]),
          photos: Type.Array(Type.String()),
          location: Type.Union([Point, Type.Null()]),
          data: Type.Record(Type.String(), Type.Unknown()),
        }),
      ),
    ),
    duplicates: Type.Optional(
      Type.Array(Type.Object({ id: Type.Integer(), number: Type.String(), distanceMeters: Type.Number() })),
    ),
  },
  { $id: 'Case' },
);
export type CaseJson = Static<typeof CaseSchema>;

export const ReportBody = Type.Object(
  {
    category: Type.String({ pattern: '^\\d{5}$', description: 'matter code (GB/T 47678.5), e.g. 06010' }),
    description: Type.String({ minLength: 1, maxLength: 4000 }),
    location: Type.Object({
      lng: Type.Number({ minimum: -180, maximum: 180 }),
      lat: Type.Number({ minimum: -90, maximum: 90 }),
      crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02'), Type.Literal('bd09')])),
    }),
    address: Type.Optional(Type.String({ maxLength: 500 })),
    source: Type.Optional(Type.Union(caseSources.map((s) => Type.Literal(s)))),
    urgency: Type.Optional(Type.Union([Type.Literal('urgent'), Type.Literal('normal')])),
    photos: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 12 })),
    idempotencyKey: Type.Optional(Type.String({ minLength: 8, maxLength: 128 })),
    reporterName: Type.Optional(Type.String({ maxLength: 100 })),
    reporterContact: Type.Optional(Type.String({ maxLength: 100 })),
    externalIds: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 200 }))),
  },
  { additionalProperties: false },
);

export const ActionBody = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    note: Type.Optional(Type.String({ maxLength: 4000 })),
    reason: Type.Optional(Type.String({ maxLength: 4000 })),
    departmentCode: Type.Optional(Type.String({ maxLength: 64 })),
    targetCaseId: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
    inspectorId: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
    category: Type.Optional(Type.String({ pattern: '^\\d{5}$' })),
    urgency: Type.Optional(Type.Union([Type.Literal('urgent'), Type.Literal('normal')])),
    areaClass: Type.Optional(Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C')])),
    confirmed: Type.Optional(Type.Boolean()),
    passed: Type.Optional(Type.Boolean()),
    closeType: Type.Optional(Type.Union(closeTypes.map((c) => Type.Literal(c)))),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    duration: Type.Optional(
      Type.Object({
        days: Type.Optional(Type.Number()),
        hours: Type.Optional(Type.Number()),
        minutes: Type.Optional(Type.Number()),
      }),
    ),
    photos: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 12 })),
    target: Type.Optional(Type.String()),
    to: Type.Optional(Type.String()),
    location: Type.Optional(Type.Object({ lng: Type.Number(), lat: Type.Number() })),
    idempotencyKey: Type.Optional(
      Type.String({
        minLength: 8,
        maxLength: 128,
        description: 'a retry with the same key is applied once and answers with the case as it is now',
      }),
    ),
  },
  { additionalProperties: false },
);

export const actionParam = Type.Union(caseActionNames.map((a) => Type.Literal(a)));
