import { Type } from '@sinclair/typebox';
import { parseInstant } from '../assessment/assessment.routes.ts';
import type { Db } from '../db/db.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { type AuditFilter, auditRepository } from './audit.repository.ts';
import { auditCsv, auditService } from './audit.service.ts';
import { audit } from './audit.ts';

export const AuditEntrySchema = Type.Object(
  {
    seq: Type.Integer(),
    at: Type.String({ format: 'date-time' }),
    actor: Type.String(),
    action: Type.String({
      description: 'dotted name; the first segment is its group (auth, admin, config, …)',
    }),
    object: Type.Union([Type.String(), Type.Null()]),
    ip: Type.Union([Type.String(), Type.Null()]),
    details: Type.Record(Type.String(), Type.Unknown()),
    prevHash: Type.String({ description: 'hash of the entry before (the anchor after pruning)' }),
    hash: Type.String({ description: 'SHA-256 of prevHash, seq and the canonical content' }),
  },
  { $id: 'AuditEntry' },
);

const text = (maxLength: number) => Type.Optional(Type.String({ minLength: 1, maxLength }));
const AuditQuery = Type.Object({
  from: text(40),
  to: text(40),
  actor: text(128),
  action: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 80,
      description: 'exact, or its group/prefix: `config` or `config.`',
    }),
  ),
  object: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'exact, or a kind ending in a colon: `case:`' }),
  ),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'entries older than this seq (next page)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
type AuditQueryT = {
  from?: string;
  to?: string;
  actor?: string;
  action?: string;
  object?: string;
  before?: number;
  limit?: number;
};

function filterOf(q: AuditQueryT, limit: number): AuditFilter {
  return {
    ...(q.from ? { from: parseInstant(q.from, 'from') } : {}),
    ...(q.to ? { to: parseInstant(q.to, 'to') } : {}),
    ...(q.actor ? { actor: q.actor } : {}),
    ...(q.action ? { action: q.action } : {}),
    ...(q.object ? { object: q.object } : {}),
    ...(q.before ? { before: q.before } : {}),
    limit,
  };
}

/** The auditor's reading of the log (审计管理员): nobody else may read it, the auditor nothing else. */
export function auditRoutes(app: App, { db }: { db: Db }) {
  const service = auditService({ db });
  app.addSchema(AuditEntrySchema);

  app.get(
    '/api/v1/audit',
    {
      config: { access: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'Audit entries, newest first (auditor only)',
        querystring: AuditQuery,
        response: {
          200: Type.Object({
            items: Type.Array(Type.Ref('AuditEntry')),
            next: Type.Union([Type.Integer(), Type.Null()], { description: '`before` for the next page' }),
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      principalOf(request);
      const limit = request.query.limit ?? 100;
      const items = await service.list(filterOf(request.query, limit));
      reply.header('cache-control', 'no-store');
      return { items, next: items.length === limit ? (items[items.length - 1]?.seq ?? null) : null };
    },
  );

  app.get(
    '/api/v1/audit/export.csv',
    {
      config: { access: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary: 'The filtered entries as CSV (at most 50,000, newest first); the export is itself audited',
        querystring: AuditQuery,
        response: { ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      principalOf(request);
      const filter = filterOf(request.query, 50_000);
      const items = await db.transaction(async (tx) => {
        await audit.record(tx, {
          action: 'export.audit',
          object: 'audit-log',
          details: { filter: { ...request.query }, format: 'csv' },
        });
        return auditRepository(tx).list(filter);
      });
      reply.header('cache-control', 'no-store');
      reply.header('content-disposition', 'attachment; filename="audit-log.csv"');
      return reply.type('text/csv; charset=utf-8').send(auditCsv(items));
    },
  );
}
