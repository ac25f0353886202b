/** The data catalog (数据资源目录) and the incremental share feed for service accounts. */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type Dataset, datasets, hasGrant, isDatasetId } from '@onegrid/domain';
import { Type } from '@sinclair/typebox';
import { AppError } from '../errors.ts';
import type { App } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { rateLimited } from '../http/security.ts';
import { requireGrant, serviceAccountOf } from '../service-accounts/access.ts';
import type { ShareService } from './share.service.ts';

const Text = Type.Object({ zh: Type.String(), en: Type.String() });

const DatasetSchema = Type.Object(
  {
    id: Type.String(),
    title: Text,
    description: Text,
    owner: Text,
    updateFrequency: Type.String({ description: 'realtime, minutes, hourly, daily, on-change' }),
    cursor: Type.String({
      description: 'updated (rows come again when changed), time, or id (arrival order)',
    }),
    fields: Type.Array(
      Type.Object({
        name: Type.String(),
        type: Type.String(),
        classification: Type.String({ description: 'public, internal or sensitive (privacy classes)' }),
        mask: Type.Union([Type.String(), Type.Null()]),
        title: Text,
      }),
    ),
    granted: Type.Optional(Type.Boolean({ description: 'for a service account: whether it may read it' })),
  },
  { $id: 'Dataset' },
);

const datasetJson = (d: Dataset) => ({
  id: d.id,
  title: d.title,
  description: d.description,
  owner: d.owner,
  updateFrequency: d.updateFrequency,
  cursor: d.cursor,
  fields: d.fields.map((f) => ({
    name: f.name,
    type: f.type,
    classification: f.class,
    mask: f.mask ?? null,
    title: { zh: f.zh, en: f.en },
  })),
});

export async function shareRoutes(app: App, share: ShareService, perMinute: number) {
  app.addSchema(DatasetSchema);

  app.get(
    '/api/v1/catalog',
    {
      config: { access: { grant: 'share', or: 'directory:read' } },
      schema: {
        tags: ['sharing'],
        summary:
          'The data catalog: datasets with their fields, each field’s classification, owner and update frequency',
        response: { 200: Type.Array(Type.Ref('Dataset')), ...errors(401, 403) },
      },
    },
    async (request) => {
      const sa = request.serviceAccount;
      return datasets.map((d) => ({
        ...datasetJson(d),
        ...(sa ? { granted: hasGrant(sa.grants, `share:${d.id}`) } : {}),
      }));
    },
  );

  // Rate limits count in this scope only, per service account.
  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    await rateLimited(scope);
    scope.get(
      '/api/v1/share/:dataset',
      {
        config: {
          access: { grant: 'share' },
          ...(perMinute > 0
            ? {
                rateLimit: {
                  max: perMinute,
                  timeWindow: 60_000,
                  keyGenerator: (r) => r.serviceAccount?.clientId ?? r.ip,
                },
              }
            : {}),
        },
        schema: {
          tags: ['sharing'],
          summary:
            'Read a dataset incrementally (service accounts granted share:<dataset>): rows in the account’s area, masked to its clearance; pass `next` as `since` to continue',
          params: Type.Object({ dataset: Type.String({ maxLength: 40 }) }),
          querystring: Type.Object({
            since: Type.Optional(
              Type.String({ maxLength: 400, description: 'the `next` of the previous page' }),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          }),
          response: {
            200: Type.Object({
              items: Type.Array(Type.Record(Type.String(), Type.Unknown())),
              next: Type.Union([Type.String(), Type.Null()], {
                description:
                  'cursor after the last item (or the one given, when nothing new); null before any read',
              }),
            }),
            ...errors(400, 401, 403, 404, 429),
          },
        },
      },
      async (request) => {
        const sa = serviceAccountOf(request);
        const { dataset } = request.params;
        if (!isDatasetId(dataset)) throw new AppError('not_found', `No dataset ${dataset} in the catalog`);
        requireGrant(sa, `share:${dataset}`);
        return share.read(
          sa,
          dataset,
          { since: request.query.since, limit: request.query.limit ?? 100 },
          'GET /api/v1/share/:dataset',
        );
      },
    );
  });
}
