import { type Static, Type } from '@sinclair/typebox';

/** One GPS fix from the inspector app (WGS-84, as the phone's geolocation gives it). */
export const PatrolPointInput = Type.Object(
  {
    recordedAt: Type.String({ format: 'date-time', description: 'when the phone took the fix' }),
    lng: Type.Number({ minimum: -180, maximum: 180 }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    accuracyM: Type.Optional(Type.Number({ minimum: 0, maximum: 100000, description: 'metres' })),
  },
  { additionalProperties: false },
);
export type PatrolPointInput = Static<typeof PatrolPointInput>;

export const PatrolBatchBody = Type.Object(
  { points: Type.Array(PatrolPointInput, { minItems: 1, maxItems: 500 }) },
  { additionalProperties: false },
);
export type PatrolBatchBody = Static<typeof PatrolBatchBody>;

export const PatrolBatchResult = Type.Object({
  received: Type.Integer(),
  stored: Type.Integer({ description: 'new points' }),
  duplicates: Type.Integer({ description: 'points already stored (same user and recordedAt): ignored' }),
});

export const PatrolPoint = Type.Object({
  recordedAt: Type.String({ format: 'date-time' }),
  lng: Type.Number(),
  lat: Type.Number(),
  accuracyM: Type.Union([Type.Number(), Type.Null()]),
  unitGridCode: Type.Union([Type.String(), Type.Null()]),
});

export const PatrolTrack = Type.Object(
  {
    userId: Type.Integer(),
    username: Type.String(),
    displayName: Type.String(),
    points: Type.Array(PatrolPoint, { description: 'oldest first' }),
  },
  { $id: 'PatrolTrack' },
);
export type PatrolTrackJson = Static<typeof PatrolTrack>;

export const TracksQuery = Type.Object({
  user: Type.Optional(Type.Integer({ minimum: 1, description: 'one user id (inspectors: only their own)' })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'default: 24 hours before `to`' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
});
export type TracksQuery = Static<typeof TracksQuery>;
