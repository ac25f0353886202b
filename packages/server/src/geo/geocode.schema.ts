import { type Static, Type } from '@sinclair/typebox';
import { CrsSchema } from './geo.schema.ts';

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const CandidateSchema = Type.Object(
  {
    text: Type.String({ description: 'The standard text: district and address (黄浦区南京东路100号)' }),
    code: Type.Union([Type.String(), Type.Null()], {
      description: "The standard address's code; null for a point interpolated along a road",
    }),
    lng: Type.Number({ description: 'WGS-84' }),
    lat: Type.Number({ description: 'WGS-84' }),
    score: Type.Number({ description: '0‥1: parts matched plus trigram similarity' }),
    street: NullableString,
    streetCode: NullableString,
    district: NullableString,
    districtCode: NullableString,
    interpolated: Type.Boolean({
      description: 'True when the number is unknown and the point lies between the nearest known numbers',
    }),
  },
  { $id: 'GeocodeCandidate' },
);

export const GeocodeQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 200, description: 'Free Chinese address text' }),
  area: Type.Optional(
    Type.String({
      pattern: '^[0-9]{6,15}$',
      description: 'Only addresses in this district, street or grid (code)',
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 5 })),
});
export type GeocodeQuery = Static<typeof GeocodeQuery>;

export const GeocodeAnswer = Type.Object(
  { candidates: Type.Array(Type.Ref('GeocodeCandidate'), { description: 'Best first' }) },
  { $id: 'GeocodeAnswer' },
);

/** Up to 10,000 texts; each at most 200 characters (a spreadsheet cell of an address). */
export const batchMax = 10_000;
export const GeocodeBatchBody = Type.Array(Type.String({ maxLength: 200 }), {
  maxItems: batchMax,
  description: `Address texts, at most ${batchMax}`,
});

export const GeocodeBatchAnswer = Type.Object(
  {
    results: Type.Array(
      Type.Object({
        q: Type.String(),
        candidate: Type.Union([Type.Ref('GeocodeCandidate'), Type.Null()]),
      }),
      { description: 'One per text, in order; candidate null when nothing resembles it' },
    ),
  },
  { $id: 'GeocodeBatchAnswer' },
);

export const ReverseQuery = Type.Object({
  lng: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude in `crs`' }),
  lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude in `crs`' }),
  crs: Type.Optional(CrsSchema),
});

export const ReverseAnswer = Type.Object(
  {
    input: Type.Object({ lng: Type.Number(), lat: Type.Number(), crs: CrsSchema }),
    address: Type.Ref('GeocodeCandidate'),
    distance: Type.Number({ description: 'Metres from the point to the address' }),
  },
  { $id: 'ReverseAnswer' },
);

const Finding = Type.Object({
  count: Type.Integer(),
  examples: Type.Array(
    Type.Object({
      text: Type.String(),
      codes: Type.Array(Type.String()),
      metres: Type.Optional(Type.Number()),
      reason: Type.Optional(Type.String()),
    }),
  ),
});

export const AddressQualitySchema = Type.Object(
  {
    total: Type.Integer({ description: 'Standard addresses in the area' }),
    duplicates: Finding,
    outsideStreet: Finding,
    conflicts: Finding,
  },
  { $id: 'AddressQuality' },
);

/** What the citizen page gets: enough to put a pin, nothing more. */
export const PublicPlace = Type.Object(
  {
    text: Type.String(),
    lng: Type.Number(),
    lat: Type.Number(),
    district: NullableString,
    street: NullableString,
  },
  { $id: 'PublicPlace' },
);
