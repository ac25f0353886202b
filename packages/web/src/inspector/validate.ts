/**
 * The report's rules, checked before anything is queued: the same rules as the server's
 * `ReportBody` (category a 5-digit code from the list, location in the city, text lengths, at
 * most 12 photos); a server refusal after an offline sync maps back onto the same fields.
 * Action bodies are checked with the domain's own `parsePayload`, which the server runs too.
 */
import { actionTable, parsePayload } from '@onegrid/domain';
import type { ApiError } from '../api/client.ts';
import type { MessageKey } from '../i18n/i18n.tsx';
import type { ReportDraft } from './draft.ts';

export type ReportField = 'photo' | 'location' | 'category' | 'description';
export type Problems = Partial<Record<ReportField, MessageKey>>;

export const descriptionMax = 4000;

export function validateReport(
  d: ReportDraft,
  opts: { hasPhoto: boolean; categories: readonly string[]; outsideCity: boolean },
): Problems {
  const p: Problems = {};
  if (!opts.hasPhoto) p.photo = 'insp.err.photo';
  if (!d.location) p.location = 'insp.err.noLocation';
  else if (opts.outsideCity) p.location = 'insp.err.outside';
  if (!/^\d{5}$/.test(d.category)) p.category = 'insp.err.category';
  else if (opts.categories.length && !opts.categories.includes(d.category))
    p.category = 'insp.err.unknownCategory';
  if (d.description.length > descriptionMax) p.description = 'insp.err.tooLong';
  return p;
}

/** The domain's check of an action body (what the server answers 400 for), as a field name. */
export function actionProblem(
  action: 'verify' | 'confirm-report',
  body: Record<string, unknown>,
): string | null {
  const r = parsePayload(actionTable[action].fields, body);
  return r.ok ? null : r.field;
}

/** A refusal from the server in the user's language, by field or code; the server's text otherwise. */
export function serverProblem(e: { code: string; message: string; field?: string }): MessageKey | null {
  if (e.field === 'location' || /outside the city/.test(e.message)) return 'insp.err.outside';
  if (e.field === 'category') return 'insp.err.unknownCategory';
  if (e.code === 'stale_version' || e.code === 'action_not_allowed') return 'insp.err.changed';
  if (e.code === 'forbidden') return 'insp.err.forbidden';
  return null;
}

export function apiErrorFields(e: ApiError): { code: string; message: string; field?: string } {
  const d = e.details as { field?: unknown } | undefined;
  return { code: e.code, message: e.message, ...(typeof d?.field === 'string' ? { field: d.field } : {}) };
}
