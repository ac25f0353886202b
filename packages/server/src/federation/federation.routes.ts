/**
 * The exchange's HTTP side: the inbound message endpoint (public: the Ed25519 signature is the
 * credential), link management for administrators, a case's links and 下派 for case workers, and
 * the figures lower instances reported for the command screen.
 */
import { Type } from '@sinclair/typebox';
import { caseRepository } from '../cases/case.repository.ts';
import { canSee } from '../cases/case.service.ts';
import type { Db } from '../db/db.ts';
import { forbidden, notFound } from '../errors.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { messageMediaType, messagesPath } from './delivery.ts';
import { federationRepository } from './federation.repository.ts';
import type { LinkService } from './links.ts';
import type { Outbound } from './outbound.ts';
import type { receiver } from './receive.ts';

const Link = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    direction: Type.Union([Type.Literal('up'), Type.Literal('down')]),
    peerUrl: Type.String(),
    areaCode: Type.Union([Type.String(), Type.Null()]),
    publicKey: Type.String({ description: 'Ours: give it to the peer’s administrator' }),
    keyId: Type.String(),
    peerPublicKey: Type.Union([Type.String(), Type.Null()]),
    peerKeyId: Type.Union([Type.String(), Type.Null()]),
    serviceAccount: Type.Union([Type.String(), Type.Null()]),
    active: Type.Boolean(),
    state: Type.Union(['awaiting-key', 'connected', 'queued', 'failing', 'off'].map((s) => Type.Literal(s))),
    queued: Type.Integer(),
    oldestQueuedAt: Type.Union([Type.String(), Type.Null()]),
    failingSince: Type.Union([Type.String(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]),
    lastOkAt: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'FederationLink' },
);
/** A message not applied: 409 means "later" (out of order, not ready); the sender retries every refusal. */
const Refused = Type.Object({
  ok: Type.Literal(false),
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});
const PublicKey = Type.String({ minLength: 43, maxLength: 60, description: 'Ed25519, 32 bytes base64url' });
const Url = Type.String({ pattern: '^https?://', maxLength: 500 });

export function federationRoutes(
  app: App,
  deps: {
    db: Db;
    links: LinkService;
    receive: ReturnType<typeof receiver>;
    out: Outbound;
    clock: () => Date;
  },
) {
  app.addSchema(Link);
  app.addSchema(
    Type.Object(
      {
        linkId: Type.String(),
        name: Type.String(),
        platformUrl: Type.String({ description: 'The lower platform: a drill-down opens it' }),
        areaCode: Type.String(),
        reportedAt: Type.String(),
        figures: Type.Record(Type.String(), Type.Unknown()),
      },
      { $id: 'FederationFigures' },
    ),
  );
  app.addContentTypeParser(
    messageMediaType,
    { parseAs: 'buffer', bodyLimit: 64 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );

  app.post(
    messagesPath,
    {
      bodyLimit: 64 * 1024 * 1024,
      config: { access: 'public' },
      schema: {
        tags: ['federation'],
        summary: 'A signed message from a linked instance (docs/federation.md); 200 once applied',
        response: {
          200: Type.Object({
            ok: Type.Literal(true),
            id: Type.String(),
            duplicate: Type.Boolean(),
            result: Type.Record(Type.String(), Type.Unknown()),
          }),
          ...Object.fromEntries([400, 401, 403, 409, 422, 500].map((s) => [s, Refused])),
        },
      },
    },
    async (request, reply) => {
      const raw = Buffer.isBuffer(request.body)
        ? request.body
        : Buffer.from(JSON.stringify(request.body ?? null));
      const a = await deps.receive.receive(request.headers, raw);
      return reply.status(a.status as 200).send(a.body as never);
    },
  );

  app.get(
    '/api/v1/federation/links',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['federation'],
        summary: 'Links to the platforms above and below, each with its state (connected / queued / failing)',
        response: { 200: Type.Array(Type.Ref('FederationLink')), ...errors(401, 403) },
      },
    },
    async (request) => {
      principalOf(request);
      return deps.links.views();
    },
  );

  app.post(
    '/api/v1/federation/links',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['federation'],
        summary:
          'Link to another instance: makes our key pair; give our public key to the peer’s administrator',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            direction: Type.Union([Type.Literal('up'), Type.Literal('down')]),
            peerUrl: Url,
            areaCode: Type.Optional(Type.String({ pattern: '^\\d{4,12}$' })),
            peerPublicKey: Type.Optional(PublicKey),
            serviceAccount: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Ref('FederationLink'), ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await deps.links.create(principalOf(request).scopeCode, request.body)),
  );

  app.patch(
    '/api/v1/federation/links/:id',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['federation'],
        summary: 'Set the peer’s public key (completes the link), switch a link off or on, move its URL',
        params: Type.Object({ id: Type.String({ pattern: '^lnk_[0-9a-f]{12}$' }) }),
        body: Type.Object(
          {
            peerPublicKey: Type.Optional(PublicKey),
            active: Type.Optional(Type.Boolean()),
            peerUrl: Type.Optional(Url),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Ref('FederationLink'), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => deps.links.update(principalOf(request).scopeCode, request.params.id, request.body),
  );

  const CaseParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
  async function visibleCase(request: Parameters<typeof principalOf>[0], id: number) {
    const p = principalOf(request);
    const row = await caseRepository(deps.db).get(id);
    if (!row || !canSee(p, row)) throw notFound('Case', id);
    return { p, row };
  }

  app.get(
    '/api/v1/federation/cases/:id',
    {
      config: { access: 'cases:read' },
      schema: {
        tags: ['federation'],
        summary: 'The platforms a case is linked with: the peer’s case number, status and deadline',
        params: CaseParams,
        response: {
          200: Type.Array(
            Type.Object({
              linkId: Type.String(),
              peer: Type.String(),
              peerUrl: Type.String(),
              direction: Type.Union([Type.Literal('up'), Type.Literal('down')]),
              role: Type.Union([Type.Literal('sent'), Type.Literal('received')]),
              remoteNumber: Type.Union([Type.String(), Type.Null()]),
              remoteStatus: Type.Union([Type.String(), Type.Null()]),
              remoteDeadline: Type.Unknown(),
              handedDownAt: Type.Union([Type.String(), Type.Null()]),
            }),
          ),
          ...errors(401, 404),
        },
      },
    },
    async (request) => {
      await visibleCase(request, request.params.id);
      const f = federationRepository(deps.db);
      const out = [];
      for (const c of await f.casesOf(request.params.id)) {
        const l = await f.link(c.linkId);
        if (!l) continue;
        out.push({
          linkId: l.id,
          peer: l.name,
          peerUrl: l.peerUrl,
          direction: l.direction,
          role: c.role,
          remoteNumber: c.remoteNumber,
          remoteStatus: c.remoteStatus,
          remoteDeadline: c.remoteDeadline ?? null,
          handedDownAt: c.handedDownAt ? new Date(c.handedDownAt).toISOString() : null,
        });
      }
      return out;
    },
  );

  app.post(
    '/api/v1/federation/cases/:id/hand-down',
    {
      config: { access: 'cases:act' },
      schema: {
        tags: ['federation'],
        summary: '下派: send a case that a lower platform handed up back down to it',
        params: CaseParams,
        body: Type.Object(
          {
            note: Type.Optional(Type.String({ maxLength: 1000 })),
            departmentCode: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ queued: Type.Boolean() }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { p } = await visibleCase(request, request.params.id);
      if (!['operator', 'dispatcher', 'leader', 'admin'].includes(p.role)) {
        throw forbidden('The command centre hands cases down');
      }
      await deps.out.handDown(request.params.id, p.displayName, request.body, deps.clock());
      return reply.status(202).send({ queued: true });
    },
  );

  app.get(
    '/api/v1/federation/figures',
    {
      config: { access: 'command:view' },
      schema: {
        tags: ['federation'],
        summary:
          'Figures the lower instances reported (open and overdue cases, vital signs, assessment) and where their platforms are',
        response: {
          200: Type.Array(Type.Ref('FederationFigures')),
          ...errors(401, 403),
        },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return (await federationRepository(deps.db).figures())
        .filter((f) => f.areaCode.startsWith(p.scopeCode) || p.scopeCode.startsWith(f.areaCode))
        .map((f) => ({
          linkId: f.linkId,
          name: f.name,
          platformUrl: f.peerUrl,
          areaCode: f.areaCode,
          reportedAt: new Date(f.reportedAt).toISOString(),
          figures: f.figures,
        }));
    },
  );
}
