/**
 * Forms validate with the server's own request schemas (bodies.json, generated with the client from
 * the OpenAPI document), so the browser and the server refuse the same things. Errors come back per
 * field as a kind and parameters; each screen words them in the user's language (`fieldMessage`).
 */

import bodies from '@onegrid/client/bodies.json';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { Translate } from '../i18n/i18n.tsx';

export type BodyRoute = keyof typeof bodies;

export interface FieldError {
  /** The field's path: `description`, `location.lng`, `contact.phone`; '' for the body itself. */
  field: string;
  kind: 'required' | 'tooShort' | 'tooLong' | 'pattern' | 'range' | 'tooMany' | 'type' | 'invalid';
  params: Record<string, string | number>;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<string, ValidateFunction>();

function toFieldError(e: ErrorObject): FieldError {
  const base = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return {
        field: base ? `${base}.${p.missingProperty}` : String(p.missingProperty),
        kind: 'required',
        params: {},
      };
    case 'minLength':
      return Number(p.limit) <= 1
        ? { field: base, kind: 'required', params: {} }
        : { field: base, kind: 'tooShort', params: { min: Number(p.limit) } };
    case 'maxLength':
      return { field: base, kind: 'tooLong', params: { max: Number(p.limit) } };
    case 'pattern':
      return { field: base, kind: 'pattern', params: {} };
    case 'minimum':
    case 'maximum':
      return { field: base, kind: 'range', params: { limit: Number(p.limit) } };
    case 'maxItems':
      return { field: base, kind: 'tooMany', params: { max: Number(p.limit) } };
    case 'type':
      return { field: base, kind: 'type', params: {} };
    default:
      return { field: base, kind: 'invalid', params: {} };
  }
}

/** The problems with `body` for `route` ('POST /api/v1/public/reports'), one per field; none when valid. */
export function validateBody(route: BodyRoute, body: unknown): FieldError[] {
  let validate = compiled.get(route);
  if (!validate) {
    validate = ajv.compile(bodies[route] as object);
    compiled.set(route, validate);
  }
  if (validate(body)) return [];
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of validate.errors ?? []) {
    if (e.keyword === 'anyOf' || e.keyword === 'if') continue;
    const f = toFieldError(e);
    if (seen.has(f.field)) continue;
    seen.add(f.field);
    out.push(f);
  }
  return out;
}

/** A field error in words: "必填" / "最多 2000 个字" … */
export function fieldMessage(t: Translate, e: FieldError): string {
  return t(`valid.${e.kind}`, e.params);
}
