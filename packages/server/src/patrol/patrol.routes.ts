import { Type } from '@sinclair/typebox';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { PatrolBatchBody, PatrolBatchResult, PatrolTrack, TracksQuery } from './patrol.schema.ts';
import type { PatrolService } from './patrol.service.ts';

export function patrolRoutes(app: App, patrol: PatrolService) {
  app.addSchema(PatrolTrack);

  app.post(
    '/api/v1/patrol/points',
    {
      config: { access: 'patrol:upload' },
      schema: {
        tags: ['patrol'],
        summary:
          'Upload GPS points of my patrol (inspectors). A point already stored (same recordedAt) is ignored, so a replay is harmless; a point outside the city or with an absurd time fails the batch (400, details per point).',
        body: PatrolBatchBody,
        response: { 200: PatrolBatchResult, ...errors(400, 401, 403) },
      },
    },
    async (request) => patrol.upload(principalOf(request), request.body.points),
  );

  app.get(
    '/api/v1/patrol/tracks',
    {
      config: { access: 'patrol:read' },
      schema: {
        tags: ['patrol'],
        summary:
          'Patrol tracks in [from, to) (default: the last 24 hours): an inspector their own; leaders, admins and dispatchers those of users in their area',
        querystring: TracksQuery,
        response: { 200: Type.Array(Type.Ref('PatrolTrack')), ...errors(400, 401, 403) },
      },
    },
    async (request) => patrol.tracks(principalOf(request), request.query),
  );

  app.get(
    '/api/v1/patrol/beat',
    {
      config: { access: 'patrol:upload' },
      schema: {
        tags: ['patrol'],
        summary:
          'My beat (inspectors): the responsibility grids I patrol and their extent, or my area when I have none, so the patrol map opens on it',
        response: {
          200: Type.Object({
            grids: Type.Array(Type.Object({ code: Type.String(), name: Type.String() })),
            bbox: Type.Union(
              [Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()]), Type.Null()],
              {
                description: '[west, south, east, north] in WGS-84',
              },
            ),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (request) => patrol.beat(principalOf(request)),
  );
}
