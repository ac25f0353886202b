/**
 * Bad input, answered the same way on every route: NUL characters refused before they reach SQL
 * (PostgreSQL cannot store them in text and answered 500), integers bounded so that an id beyond
 * any row is "not found" rather than a bigint overflow, and schema failures told in words a caller
 * can act on ("unknown parameter limit", "must be one of …").
 */
import type { FastifyRequest, FastifySchema } from 'fastify';
import { AppError } from '../errors.ts';

type Node = Record<string, unknown>;

/** Every integer a request may carry fits a JavaScript number exactly, and so a bigint column. */
function boundIntegers(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(boundIntegers);
  if (!node || typeof node !== 'object') return node;
  const copy: Node = {};
  for (const [k, v] of Object.entries(node as Node)) copy[k] = boundIntegers(v);
  for (const sym of Object.getOwnPropertySymbols(node))
    copy[sym as unknown as string] = (node as Node)[sym as unknown as string];
  if (copy.type === 'integer' && copy.maximum === undefined && copy.exclusiveMaximum === undefined) {
    copy.maximum = Number.MAX_SAFE_INTEGER;
  }
  return copy;
}

/** Applied to each route's request schemas as it is registered (an `onRoute` hook). */
export function hardenRequestSchemas(schema: FastifySchema | undefined): FastifySchema | undefined {
  if (!schema) return schema;
  const out = { ...schema } as Node;
  for (const part of ['params', 'querystring', 'body'] as const) {
    if (out[part]) out[part] = boundIntegers(out[part]);
  }
  return out as FastifySchema;
}

function findNul(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (depth > 32 || !value || typeof value !== 'object' || Buffer.isBuffer(value)) return undefined;
  for (const [k, v] of Object.entries(value as Node)) {
    if (k.includes('\u0000')) return `${path}/${k.replaceAll('\u0000', '\\0')}`;
    const hit = findNul(v, `${path}/${k}`, depth + 1);
    if (hit) return hit;
  }
  return undefined;
}

/** A `preValidation` hook: a NUL character anywhere in the path, query or body is a 400. */
export async function refuseNul(request: FastifyRequest): Promise<void> {
  for (const [part, value] of [
    ['params', request.params],
    ['querystring', request.query],
    ['body', request.body],
  ] as const) {
    const at = findNul(value, part);
    if (at) {
      throw new AppError(
        'validation_failed',
        `${at} contains a NUL character (\\u0000), which text may not hold`,
        {
          field: at,
        },
      );
    }
  }
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  schemaPath: string;
}

/**
 * One sentence per problem. A union of literals (an enum) reports one "must be equal to constant"
 * per literal; those become "must be one of a, b, c".
 */
export function describeValidation(errors: AjvError[], context: string, schema?: unknown): string {
  const consts = new Map<string, unknown[]>();
  const lines: string[] = [];
  for (const e of errors) {
    const where = `${context}${e.instancePath}`;
    if (e.keyword === 'const') {
      consts.set(where, [...(consts.get(where) ?? []), e.params.allowedValue]);
      continue;
    }
    if (e.keyword === 'anyOf' && consts.has(where)) continue;
    if (e.keyword === 'additionalProperties') {
      const known = propertiesOf(schema, e.instancePath);
      lines.push(
        `${where}: unknown parameter "${String(e.params.additionalProperty)}"${known ? ` (known: ${known.join(', ')})` : ''}`,
      );
      continue;
    }
    lines.push(`${where} ${e.message ?? 'is not valid'}`);
  }
  for (const [where, values] of consts) lines.unshift(`${where} must be one of ${values.join(', ')}`);
  return [...new Set(lines)].join('; ');
}

function propertiesOf(schema: unknown, instancePath: string): string[] | undefined {
  let node = schema as Node | undefined;
  for (const key of instancePath.split('/').filter(Boolean)) {
    node = (node?.properties as Node | undefined)?.[key] as Node | undefined;
  }
  const props = node?.properties as Node | undefined;
  return props ? Object.keys(props) : undefined;
}

/**
 * An id in the path below 1 or above any id names nothing: 404, as for a missing row. Other path
 * parameters out of range (a tile's zoom) stay a 400.
 */
export function isIdOutOfRange(errors: AjvError[], context: string): boolean {
  return (
    context === 'params' &&
    errors.length > 0 &&
    errors.every(
      (e) =>
        (e.keyword === 'maximum' || e.keyword === 'minimum') && /\/(id|[A-Za-z]+Id)$/.test(e.instancePath),
    )
  );
}
