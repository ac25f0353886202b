/**
 * Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2): the shapes the specification fixes, with
 * its field names, and the administrators' API for the apps' keys. The JSON shapes are also what
 * the XML is built from (`open311.xml.ts`), so both formats always carry the same fields.
 */
import { type Static, Type } from '@sinclair/typebox';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const formats = ['json', 'xml'] as const;
export type Format = (typeof formats)[number];

export const Discovery = Type.Object({
  changeset: Type.String(),
  contact: Type.String(),
  key_service: Type.String(),
  endpoints: Type.Array(
    Type.Object({
      specification: Type.String(),
      url: Type.String(),
      changeset: Type.String(),
      type: Type.Union([Type.Literal('production'), Type.Literal('test')]),
      formats: Type.Array(Type.String()),
    }),
  ),
});
export type Discovery = Static<typeof Discovery>;

export const Service = Type.Object({
  service_code: Type.String(),
  service_name: Type.String(),
  description: Type.String(),
  metadata: Type.Boolean(),
  type: Type.Union([Type.Literal('realtime'), Type.Literal('batch'), Type.Literal('blackbox')]),
  keywords: Type.String(),
  group: Type.String(),
});
export type Service = Static<typeof Service>;

export const datatypes = [
  'string',
  'number',
  'datetime',
  'text',
  'singlevaluelist',
  'multivaluelist',
] as const;

export const ServiceAttribute = Type.Object({
  variable: Type.Boolean(),
  code: Type.String(),
  datatype: Type.Union(datatypes.map((d) => Type.Literal(d))),
  required: Type.Boolean(),
  datatype_description: Nullable(Type.String()),
  order: Type.Integer(),
  description: Type.String(),
  values: Type.Array(Type.Object({ key: Type.String(), name: Type.String() })),
});
export type ServiceAttribute = Static<typeof ServiceAttribute>;

export const ServiceDefinition = Type.Object({
  service_code: Type.String(),
  attributes: Type.Array(ServiceAttribute),
});
export type ServiceDefinition = Static<typeof ServiceDefinition>;

/** The answer to a POST: the id at once (OneGrid files synchronously), so never a `token`. */
export const CreatedRequest = Type.Object({
  service_request_id: Type.String(),
  service_notice: Type.String(),
  account_id: Nullable(Type.String()),
});
export type CreatedRequest = Static<typeof CreatedRequest>;

export const ServiceRequest = Type.Object({
  service_request_id: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  status_notes: Nullable(Type.String()),
  service_name: Nullable(Type.String()),
  service_code: Type.String(),
  description: Nullable(Type.String()),
  agency_responsible: Nullable(Type.String()),
  service_notice: Nullable(Type.String()),
  requested_datetime: Type.String(),
  updated_datetime: Type.String(),
  expected_datetime: Nullable(Type.String()),
  address: Nullable(Type.String()),
  address_id: Nullable(Type.String()),
  zipcode: Nullable(Type.String()),
  lat: Type.Number(),
  long: Type.Number(),
  media_url: Nullable(Type.String()),
});
export type ServiceRequest = Static<typeof ServiceRequest>;

export const TokenAnswer = Type.Object({ service_request_id: Type.String(), token: Type.String() });
export type TokenAnswer = Static<typeof TokenAnswer>;

export interface Open311ErrorItem {
  code: number;
  description: string;
}

/** Several values may be given comma-delimited or by repeating the parameter. */
const multi = Type.Optional(Type.Array(Type.String({ maxLength: 20_000 })));

/** Reading requests needs an app's api_key too (docs/open311.md, "Who may read requests"). */
const apiKeyParam = Type.Optional(Type.String({ maxLength: 200 }));

export const RequestsQuery = Type.Object({
  jurisdiction_id: Type.Optional(Type.String()),
  api_key: apiKeyParam,
  service_request_id: multi,
  service_code: multi,
  start_date: Type.Optional(Type.String()),
  end_date: Type.Optional(Type.String()),
  status: multi,
});
export type RequestsQuery = Static<typeof RequestsQuery>;

export const JurisdictionQuery = Type.Object({ jurisdiction_id: Type.Optional(Type.String()) });
export const ReadQuery = Type.Object({ jurisdiction_id: Type.Optional(Type.String()), api_key: apiKeyParam });

/** The fields of a POST as the form parser hands them over (a repeated field is an array). */
export type FormFields = Record<string, string | string[] | undefined>;

// The administrators' API for the apps (our own API: our error format, bearer login).

const clientFields = {
  id: Type.Integer(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
};
export const Open311ClientSchema = Type.Object(clientFields, { $id: 'Open311Client' });
export type Open311ClientJson = Static<typeof Open311ClientSchema>;

export const IssuedOpen311Client = Type.Object({
  ...clientFields,
  apiKey: Type.String({ description: 'the api_key, shown this once: only its hash is kept' }),
});

export const CreateClientBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }) },
  { additionalProperties: false },
);
