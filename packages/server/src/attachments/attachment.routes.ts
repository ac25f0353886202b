import multipart from '@fastify/multipart';
import { inScope } from '@onegrid/domain';
import { Type } from '@sinclair/typebox';
import { AppError } from '../errors.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { uploadedBytes } from '../http/upload.ts';
import type { AttachmentRow, AttachmentService } from './attachment.service.ts';

const AttachmentSchema = Type.Object(
  {
    id: Type.String(),
    mime: Type.String(),
    size: Type.Integer(),
    sha256: Type.String(),
    location: Type.Union([Type.Object({ lng: Type.Number(), lat: Type.Number() }), Type.Null()], {
      description: 'from the photo EXIF, when present',
    }),
    takenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    url: Type.String(),
  },
  { $id: 'Attachment' },
);

const toJson = (a: AttachmentRow) => ({
  id: a.id,
  mime: a.mime,
  size: a.size,
  sha256: a.sha256,
  location: a.lng !== null && a.lat !== null ? { lng: a.lng, lat: a.lat } : null,
  takenAt: a.takenAt ? new Date(a.takenAt).toISOString() : null,
  url: `/api/v1/attachments/${a.id}`,
});

export async function attachmentRoutes(app: App, attachments: AttachmentService) {
  app.addSchema(AttachmentSchema);
  await app.register(multipart, { limits: { fileSize: attachments.maxBytes, files: 1, fields: 5 } });

  app.post(
    '/api/v1/attachments',
    {
      config: { access: 'cases:report' },
      schema: {
        tags: ['attachments'],
        summary: 'Upload one photo (multipart field "file"); then name its id in a report or action',
        consumes: ['multipart/form-data'],
        response: { 201: Type.Ref('Attachment'), ...errors(400, 401, 413, 415) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const bytes = await uploadedBytes(request, attachments.maxBytes);
      const row = await attachments.store(bytes, { id: String(p.id), scopeCode: p.scopeCode });
      return reply.status(201).send(toJson(row));
    },
  );

  app.get(
    '/api/v1/attachments/:id',
    {
      config: { access: 'cases:read' },
      schema: {
        tags: ['attachments'],
        summary: 'The file itself, for whoever may see its case (or uploaded it)',
        params: Type.Object({ id: Type.String() }),
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const a = await attachments.get(request.params.id);
      const mine = a?.createdBy === String(p.id);
      const ourTask =
        p.role === 'handler' && p.departmentCode !== null && a?.departmentCode === p.departmentCode;
      // Out of scope answers like a missing photo: a 403 would confirm that the id exists.
      if (!a || (!mine && !ourTask && !inScope(p, a.scopeCode))) {
        throw new AppError('not_found', `Attachment ${request.params.id} not found`);
      }
      return reply
        .header('content-type', a.mime)
        .header('cache-control', 'private, max-age=86400, immutable')
        .header('x-content-type-options', 'nosniff')
        .send(await attachments.read(a));
    },
  );
}
