import { crsList } from '@onegrid/domain';
import { type Static, Type } from '@sinclair/typebox';
import { AreaRef } from '../http/schemas.ts';

export const CrsSchema = Type.Union(
  crsList.map((c) => Type.Literal(c)),
  { description: 'wgs84 (GPS, ≈ CGCS2000), gcj02 (AMap, Tencent, most phone apps) or bd09 (Baidu)' },
);

export const LocateQuery = Type.Object({
  lng: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude in `crs`' }),
  lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude in `crs`' }),
  crs: Type.Optional(CrsSchema),
});
export type LocateQuery = Static<typeof LocateQuery>;

const Nullable = <T extends ReturnType<typeof Type.Object>>(t: T) => Type.Union([t, Type.Null()]);

/** What `GET /api/v1/geo/locate` answers: the place of a point in the city model. */
export const LocationSchema = Type.Object(
  {
    input: Type.Object({ lng: Type.Number(), lat: Type.Number(), crs: CrsSchema }),
    wgs84: Type.Object({ lng: Type.Number(), lat: Type.Number() }),
    city: AreaRef,
    district: Nullable(AreaRef),
    street: Nullable(AreaRef),
    community: Nullable(AreaRef),
    unitGrid: Nullable(
      Type.Object({
        code: Type.String({ description: '15-digit GB/T 30428.1 unit grid code' }),
        areaClass: Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C')]),
      }),
    ),
    dutyGrid: Nullable(AreaRef),
  },
  {
    $id: 'Location',
    description:
      'On a shared edge or vertex the polygon with the smallest code wins. When a unit grid holds the point, ' +
      'its code decides community, street and district.',
  },
);
