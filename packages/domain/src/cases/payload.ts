/**
 * The fields an action's body may carry, their types and how they are checked. Every field has
 * one meaning across all actions; the machine table says which an action requires. Bodies come
 * from the network, so parsing takes `unknown` and names the offending field.
 */
import type { AreaClass } from '../geo/index.ts';
import type { ActionFieldSpecs, CaseAction } from './case-machine.ts';
import {
  areaClasses,
  type CloseType,
  closeTypes,
  type Duration,
  type HandUpTarget,
  handUpTargets,
  type LngLat,
  type Urgency,
  urgencies,
} from './types.ts';

/** Field kinds: how a value is checked and what it becomes. */
export const fieldKinds = {
  note: 'text',
  reason: 'text',
  departmentCode: 'code',
  targetCaseId: 'code',
  inspectorId: 'code',
  category: 'category',
  urgency: 'urgency',
  areaClass: 'areaClass',
  confirmed: 'boolean',
  passed: 'boolean',
  closeType: 'closeType',
  until: 'datetime',
  duration: 'duration',
  photos: 'photos',
  target: 'handUpTarget',
  to: 'code',
  location: 'point',
} as const;
export type FieldName = keyof typeof fieldKinds;
export type FieldRequirement = 'required' | 'optional';
export type FieldSpecs = Readonly<Partial<Record<FieldName, FieldRequirement>>>;

/** Fields every action accepts: a note, photos and where the actor stood. */
export const commonFields: FieldSpecs = { note: 'optional', photos: 'optional', location: 'optional' };

/** Parsed values. */
export interface ActionInput {
  readonly note?: string;
  readonly reason?: string;
  readonly departmentCode?: string;
  readonly targetCaseId?: string;
  readonly inspectorId?: string;
  readonly category?: string;
  readonly urgency?: Urgency;
  readonly areaClass?: AreaClass;
  readonly confirmed?: boolean;
  readonly passed?: boolean;
  readonly closeType?: CloseType;
  readonly until?: Date;
  readonly duration?: Duration;
  readonly photos?: readonly string[];
  readonly target?: HandUpTarget;
  readonly to?: string;
  readonly location?: LngLat;
}

/** What a client may send for each field (times as ISO 8601 strings or `Date`). */
export type FieldWireTypes = Omit<Required<ActionInput>, 'until'> & { until: string | Date };

type Own<A extends CaseAction> = ActionFieldSpecs[A];
type Wire<K> = FieldWireTypes[K & FieldName];

/** The body a client sends for action `A`: its required and optional fields, plus the common ones. */
export type ActionPayload<A extends CaseAction> = {
  readonly [K in keyof Own<A> as Own<A>[K] extends 'required' ? K : never]: Wire<K>;
} & {
  readonly [K in keyof Own<A> as Own<A>[K] extends 'required' ? never : K]?: Wire<K>;
} & {
  readonly version?: number;
  readonly note?: string;
  readonly photos?: readonly string[];
  readonly location?: LngLat;
};

export const TEXT_MAX = 2000;
export const CODE_MAX = 64;
export const PHOTOS_MAX = 20;

export type PayloadParseResult =
  | { readonly ok: true; readonly input: ActionInput }
  | { readonly ok: false; readonly field: string; readonly message: string };

type Checked = { ok: true; value: ActionInput[FieldName] } | { ok: false; message: string };

const fail = (message: string): Checked => ({ ok: false, message });
const pass = (value: ActionInput[FieldName]): Checked => ({ ok: true, value });

function oneOf<T extends string>(values: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && (values as readonly string[]).includes(v);
}

function checkText(v: unknown, max: number): Checked {
  if (typeof v !== 'string' || v.trim() === '') return fail('must be a non-empty string');
  if (v.length > max) return fail(`must be at most ${max} characters`);
  return pass(v.trim());
}

function checkDuration(v: unknown): Checked {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return fail('must be an object with days, hours and/or minutes');
  }
  const out: { days?: number; hours?: number; minutes?: number } = {};
  let total = 0;
  for (const unit of ['days', 'hours', 'minutes'] as const) {
    const n = (v as Record<string, unknown>)[unit];
    if (n === undefined) continue;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 100_000) {
      return fail(`${unit} must be a non-negative number`);
    }
    out[unit] = n;
    total += n;
  }
  return total > 0 ? pass(out) : fail('must be longer than zero');
}

function checkPoint(v: unknown): Checked {
  const p = v as Record<string, unknown> | null;
  if (typeof p !== 'object' || p === null) return fail('must be {lng, lat}');
  const { lng, lat } = p;
  if (typeof lng !== 'number' || typeof lat !== 'number' || Math.abs(lng) > 180 || Math.abs(lat) > 90) {
    return fail('must be {lng, lat} in degrees');
  }
  return pass({ lng, lat });
}

function checkField(name: FieldName, v: unknown): Checked {
  switch (fieldKinds[name]) {
    case 'text':
      return checkText(v, TEXT_MAX);
    case 'code':
      return checkText(v, CODE_MAX);
    case 'category':
      return typeof v === 'string' && /^\d{5}$/.test(v) ? pass(v) : fail('must be a 5-digit matter code');
    case 'urgency':
      return oneOf(urgencies, v) ? pass(v) : fail(`must be one of ${urgencies.join(', ')}`);
    case 'areaClass':
      return oneOf(areaClasses, v) ? pass(v) : fail(`must be one of ${areaClasses.join(', ')}`);
    case 'closeType':
      return oneOf(closeTypes, v) ? pass(v) : fail(`must be one of ${closeTypes.join(', ')}`);
    case 'handUpTarget':
      return oneOf(handUpTargets, v) ? pass(v) : fail(`must be one of ${handUpTargets.join(', ')}`);
    case 'boolean':
      return typeof v === 'boolean' ? pass(v) : fail('must be true or false');
    case 'datetime': {
      const t = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : Number.NaN;
      return Number.isNaN(t) ? fail('must be an ISO 8601 date and time') : pass(new Date(t));
    }
    case 'duration':
      return checkDuration(v);
    case 'point':
      return checkPoint(v);
    case 'photos': {
      if (!Array.isArray(v) || v.length === 0) return fail('must be a non-empty list of photo ids');
      if (v.length > PHOTOS_MAX) return fail(`must hold at most ${PHOTOS_MAX} photos`);
      const ok = v.every((p) => typeof p === 'string' && p.trim() !== '' && p.length <= 500);
      return ok ? pass(v.map((p: string) => p.trim())) : fail('must be a list of photo ids');
    }
  }
}

/**
 * Parses a body against an action's fields (plus the common ones). Unknown keys such as
 * `version` are ignored. A missing `reason` is taken from `note` when one was given.
 */
export function parsePayload(fields: FieldSpecs, raw: unknown): PayloadParseResult {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    return { ok: false, field: 'body', message: 'the body must be a JSON object' };
  }
  const body = (raw ?? {}) as Record<string, unknown>;
  const specs: FieldSpecs = { ...commonFields, ...fields };
  const input: Record<string, unknown> = {};
  for (const name of Object.keys(specs) as FieldName[]) {
    let value = body[name];
    if (name === 'reason' && (value === undefined || value === null)) value = body.note;
    if (value === undefined || value === null) {
      if (specs[name] === 'required') {
        return { ok: false, field: name, message: `${name} is required` };
      }
      continue;
    }
    const checked = checkField(name, value);
    if (!checked.ok) return { ok: false, field: name, message: `${name} ${checked.message}` };
    input[name] = checked.value;
  }
  return { ok: true, input: input as ActionInput };
}

type JsonSchema = Readonly<Record<string, unknown>>;

const kindSchemas: Record<(typeof fieldKinds)[FieldName], JsonSchema> = {
  text: { type: 'string', minLength: 1, maxLength: TEXT_MAX },
  code: { type: 'string', minLength: 1, maxLength: CODE_MAX },
  category: { type: 'string', pattern: '^\\d{5}$' },
  urgency: { type: 'string', enum: urgencies },
  areaClass: { type: 'string', enum: areaClasses },
  closeType: { type: 'string', enum: closeTypes },
  handUpTarget: { type: 'string', enum: handUpTargets },
  boolean: { type: 'boolean' },
  datetime: { type: 'string', format: 'date-time' },
  duration: {
    type: 'object',
    properties: {
      days: { type: 'number', minimum: 0 },
      hours: { type: 'number', minimum: 0 },
      minutes: { type: 'number', minimum: 0 },
    },
    additionalProperties: false,
  },
  point: {
    type: 'object',
    properties: { lng: { type: 'number' }, lat: { type: 'number' } },
    required: ['lng', 'lat'],
  },
  photos: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, maxItems: PHOTOS_MAX },
};

/** JSON Schema of an action's body (without `version`, which the API adds). */
export function payloadSchema(fields: FieldSpecs): JsonSchema {
  const specs: FieldSpecs = { ...commonFields, ...fields };
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const name of Object.keys(specs) as FieldName[]) {
    properties[name] = kindSchemas[fieldKinds[name]];
    // `reason` may come as `note`, so the schema cannot insist on it.
    if (specs[name] === 'required' && name !== 'reason') required.push(name);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}
