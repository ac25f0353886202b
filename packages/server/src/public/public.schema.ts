import { caseStatuses } from '@onegrid/domain';
import { type Static, Type } from '@sinclair/typebox';

const Status = Type.Union(caseStatuses.map((s) => Type.Literal(s)));
const AreaName = Type.Union([Type.Object({ code: Type.String(), name: Type.String() }), Type.Null()]);

export const PublicReportBody = Type.Object(
  {
    category: Type.String({ pattern: '^\\d{5}$', description: 'matter code, e.g. 06010 (暴露垃圾)' }),
    description: Type.String({ minLength: 1, maxLength: 2000 }),
    location: Type.Optional(
      Type.Object(
        {
          lng: Type.Number({ minimum: -180, maximum: 180 }),
          lat: Type.Number({ minimum: -90, maximum: 90 }),
          crs: Type.Optional(
            Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02'), Type.Literal('bd09')]),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    address: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 500,
        description: 'a standard address (标准地址); the location is taken from it when no pin is given',
      }),
    ),
    photos: Type.Optional(
      Type.Array(Type.String({ maxLength: 64 }), {
        maxItems: 6,
        description: 'ids from POST /api/v1/public/attachments',
      }),
    ),
    contact: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ maxLength: 50 })),
          phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9][0-9 -]{4,30}$' })),
        },
        {
          additionalProperties: false,
          description: 'kept for the staff (masked); never shown to the public',
        },
      ),
    ),
    idempotencyKey: Type.Optional(
      Type.String({
        minLength: 16,
        maxLength: 128,
        description: 'a random id (UUID) per report: a retry gets the first report back',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PublicReportBody = Static<typeof PublicReportBody>;

const receiptFields = {
  number: Type.String({ description: 'the tracking number' }),
  status: Status,
  statusName: Type.String({ description: '中文' }),
  statusNameEn: Type.String(),
  trackingKey: Type.String({
    description: 'the key that, with the number, lets the reporter follow the report (查询码); keep it',
  }),
  trackingUrl: Type.String({ description: "the web app's tracking page, key included" }),
};

export const PublicReportReceipt = Type.Object(receiptFields, { $id: 'PublicReportReceipt' });
export type PublicReportReceipt = Static<typeof PublicReportReceipt>;

/** What anyone holding the number may see: no description, no names, no contact of anyone. */
export const PublicReportView = Type.Object(
  {
    ...receiptFields,
    open: Type.Boolean({ description: 'false once closed, rejected or merged' }),
    category: Type.Object({ code: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }),
    district: AreaName,
    street: AreaName,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    timeline: Type.Array(
      Type.Object({
        at: Type.String({ format: 'date-time' }),
        status: Status,
        statusName: Type.String(),
        statusNameEn: Type.String(),
      }),
      { description: 'each change of status, oldest first' },
    ),
    mergedInto: Type.Union(
      [
        Type.Object({
          number: Type.String(),
          status: Status,
          statusName: Type.String(),
          statusNameEn: Type.String(),
        }),
        Type.Null(),
      ],
      { description: 'the case that now carries this report, when it was merged as a duplicate' },
    ),
    result: Type.Union(
      [
        Type.Object({
          handledAt: Type.String({ format: 'date-time' }),
          note: Type.Union([Type.String(), Type.Null()], {
            description: "the department's note, phone and ID numbers masked",
          }),
          photos: Type.Array(Type.String(), {
            description: 'after-photos: GET /api/v1/public/reports/{number}/photos/{id}?key=…',
          }),
        }),
        Type.Null(),
      ],
      { description: 'what was done, once the report is closed (处置结果)' },
    ),
  },
  { $id: 'PublicReport' },
);
export type PublicReportView = Static<typeof PublicReportView>;

export const PublicPhoto = Type.Object(
  { id: Type.String(), mime: Type.String(), size: Type.Integer() },
  { $id: 'PublicPhoto' },
);
export type PublicPhoto = Static<typeof PublicPhoto>;

/** A matter a citizen can pick (部件 or 事件), with what tells it apart from the ones it is confused with. */
export const PublicCategory = Type.Object(
  {
    kind: Type.Union([Type.Literal('component'), Type.Literal('event')]),
    code: Type.String(),
    name: Type.String(),
    majorCode: Type.String(),
    majorName: Type.String(),
    hint: Type.Union([Type.String(), Type.Null()]),
    confusableWith: Type.Array(Type.String()),
  },
  { $id: 'PublicCategory' },
);
export type PublicCategory = Static<typeof PublicCategory>;
