/**
 * The presentation layer for personal data: every answer, export, event and screen that carries
 * a field classified in `@onegrid/domain` privacy.ts goes through these, so the rule lives once.
 */
import { maskContact, maskName, scrubText } from '@onegrid/domain';

/** Sources whose reporter is a machine, not a person (their "name" is the rule or camera). */
const machineSources = new Set(['iot', 'camera']);

export interface ReporterFields {
  source: string;
  reporterUserId: number | null;
  reporterName: string | null;
  reporterContact: string | null;
}

/**
 * Reporter as staff see it: a citizen's name keeps only the surname (张*), a contact is masked
 * (138****5678). A colleague who reported (reporterUserId set) and a machine keep their name.
 */
export function presentReporter(r: ReporterFields): {
  reporterName: string | null;
  reporterContact: string | null;
} {
  const person = r.reporterUserId === null && !machineSources.has(r.source);
  return {
    reporterName: person ? maskName(r.reporterName) : r.reporterName,
    reporterContact: maskContact(r.reporterContact),
  };
}

/** Free text leaving for the public or a wall screen: phone and ID numbers masked. */
export const publicText = scrubText;
