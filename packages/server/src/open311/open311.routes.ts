/**
 * Open311 GeoReport v2 at `/open311/v2`, every resource in `.json` and `.xml`, in a scope of its
 * own: form-encoded bodies are parsed there alone, and errors come back as the specification's
 * `[{code, description}]` / `<errors><error>…` rather than OneGrid's error format. The routes are
 * left out of OneGrid's OpenAPI document: the specification is their contract (docs/open311.md).
 * The administrators' key routes live under /api/v1 and speak OneGrid's own format.
 */
import formbody from '@fastify/formbody';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { perMinute, rateLimited } from '../http/security.ts';
import { Open311Error } from './open311.fields.ts';
import type { ClientRow } from './open311.repository.ts';
import {
  CreateClientBody,
  type Format,
  type FormFields,
  formats,
  IssuedOpen311Client,
  JurisdictionQuery,
  Open311ClientSchema,
  ReadQuery,
  RequestsQuery,
} from './open311.schema.ts';
import type { Open311Service } from './open311.service.ts';
import { xmlDocument } from './open311.xml.ts';

export const open311Prefix = '/open311/v2';

const contentTypes: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

/** Sends `data` as JSON, or as XML under `root` (`services`, `service_requests`, `errors` …). */
function send(reply: FastifyReply, format: Format, root: string, data: unknown, status = 200) {
  return reply
    .status(status)
    .header('content-type', contentTypes[format])
    .send(format === 'json' ? JSON.stringify(data) : xmlDocument(root, data));
}

const formatOf = (url: string): Format => (/\.xml$/i.test(url.split('?')[0] ?? '') ? 'xml' : 'json');

/** A parsed body (form or JSON) as plain fields; `attribute: {code: v}` in JSON reads as `attribute[code]`. */
function formFields(body: unknown): FormFields {
  const out: FormFields = {};
  if (!body || typeof body !== 'object') return out;
  const text = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
  for (const [key, value] of Object.entries(body)) {
    if (key === 'attribute' && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [code, v] of Object.entries(value)) {
        out[`attribute[${code}]`] = Array.isArray(v) ? v.map(String) : text(v);
      }
    } else {
      out[key] = Array.isArray(value) ? value.map(String) : text(value);
    }
  }
  return out;
}

const clientJson = (c: ClientRow) => ({
  id: c.id,
  name: c.name,
  createdAt: new Date(c.createdAt).toISOString(),
  revokedAt: c.revokedAt ? new Date(c.revokedAt).toISOString() : null,
});

export async function open311Routes(app: App, open311: Open311Service, postsPerMinute = 0): Promise<void> {
  app.addSchema(Open311ClientSchema);

  app.post(
    '/api/v1/open311/clients',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['open311'],
        summary: 'Issue an Open311 api_key to an app (administrators). The key is shown this once.',
        body: CreateClientBody,
        response: { 201: IssuedOpen311Client, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      principalOf(request);
      const { client, apiKey } = await open311.issueKey(request.body.name);
      return reply.status(201).send({ ...clientJson(client), apiKey });
    },
  );

  app.get(
    '/api/v1/open311/clients',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['open311'],
        summary: 'The apps holding Open311 api_keys, revoked ones included (administrators)',
        response: { 200: Type.Array(Type.Ref('Open311Client')), ...errors(401, 403) },
      },
    },
    async (request) => {
      principalOf(request);
      return (await open311.clients()).map(clientJson);
    },
  );

  app.delete(
    '/api/v1/open311/clients/:id',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['open311'],
        summary: "Revoke an app's api_key (administrators); its POSTs get 403 from now on",
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      principalOf(request);
      await open311.revoke(request.params.id);
      return reply.status(204).send(null);
    },
  );

  await app.register(
    async (plain) => {
      const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
      await scope.register(formbody, { bodyLimit: 64 * 1024 });
      await rateLimited(scope);

      scope.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
        let status: number;
        let description: string;
        const e = error as { validation?: unknown; statusCode?: number; message?: string };
        if (error instanceof Open311Error) {
          status = error.status;
          description = error.message;
        } else if (error instanceof AppError) {
          // No login exists here: whatever refuses the caller is the spec's 403.
          status = error.status === 401 ? 403 : error.status;
          description = error.message;
        } else if (e.validation) {
          status = 400;
          description = e.message ?? 'Bad request';
        } else if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
          status = e.statusCode;
          description = e.message ?? 'Bad request';
        } else {
          request.log.error({ err: error }, 'unhandled error in Open311');
          status = 500;
          description = `Something went wrong on our side (request ${request.id})`;
        }
        return send(reply, formatOf(request.url), 'errors', [{ code: status, description }], status);
      });

      scope.setNotFoundHandler((request, reply) => {
        const path = request.url.split('?')[0];
        const description = /\.(json|xml)$/i.test(path ?? '')
          ? `No resource ${request.method} ${path}`
          : `No resource ${request.method} ${path}: name a format, .json or .xml`;
        return send(reply, formatOf(request.url), 'errors', [{ code: 404, description }], 404);
      });

      const config = { access: 'public' as const };
      for (const format of formats) {
        scope.get(`/discovery.${format}`, { config, schema: { hide: true } }, async (request, reply) => {
          const url = `${request.protocol}://${request.host}${open311Prefix}`;
          return send(reply, format, 'discovery', await open311.discovery(url));
        });

        scope.get(
          `/services.${format}`,
          { config, schema: { hide: true, querystring: JurisdictionQuery } },
          async (request, reply) => {
            open311.checkJurisdiction(request.query.jurisdiction_id);
            return send(reply, format, 'services', await open311.services());
          },
        );

        scope.get(
          `/services/:service_code.${format}`,
          {
            config,
            schema: {
              hide: true,
              params: Type.Object({ service_code: Type.String() }),
              querystring: JurisdictionQuery,
            },
          },
          async (request, reply) => {
            open311.checkJurisdiction(request.query.jurisdiction_id);
            const definition = await open311.serviceDefinition(request.params.service_code);
            return send(reply, format, 'service_definition', definition);
          },
        );

        scope.post(
          `/requests.${format}`,
          {
            config: { ...config, ...perMinute(postsPerMinute) },
            schema: { hide: true, querystring: JurisdictionQuery },
          },
          async (request, reply) => {
            const fields = formFields(request.body);
            const fromQuery = formFields(request.query);
            const apiKey = fields.api_key ?? fromQuery.api_key;
            const client = await open311.authenticate(Array.isArray(apiKey) ? apiKey[0] : apiKey);
            const jurisdiction = fields.jurisdiction_id ?? request.query.jurisdiction_id;
            open311.checkJurisdiction(Array.isArray(jurisdiction) ? jurisdiction[0] : jurisdiction);
            return send(reply, format, 'service_requests', await open311.createRequest(client, fields));
          },
        );

        scope.get(
          `/requests.${format}`,
          { config, schema: { hide: true, querystring: RequestsQuery } },
          async (request, reply) => {
            open311.checkJurisdiction(request.query.jurisdiction_id);
            await open311.authenticate(request.query.api_key);
            return send(reply, format, 'service_requests', await open311.requests(request.query));
          },
        );

        scope.get(
          `/requests/:service_request_id.${format}`,
          {
            config,
            schema: {
              hide: true,
              params: Type.Object({ service_request_id: Type.String({ maxLength: 64 }) }),
              querystring: ReadQuery,
            },
          },
          async (request, reply) => {
            open311.checkJurisdiction(request.query.jurisdiction_id);
            await open311.authenticate(request.query.api_key);
            const found = await open311.request(request.params.service_request_id);
            return send(reply, format, 'service_requests', found);
          },
        );

        scope.get(
          `/tokens/:token.${format}`,
          {
            config,
            schema: {
              hide: true,
              params: Type.Object({ token: Type.String({ maxLength: 64 }) }),
              querystring: ReadQuery,
            },
          },
          async (request, reply) => {
            open311.checkJurisdiction(request.query.jurisdiction_id);
            await open311.authenticate(request.query.api_key);
            return send(reply, format, 'service_requests', await open311.token(request.params.token));
          },
        );
      }
    },
    { prefix: open311Prefix },
  );
}
