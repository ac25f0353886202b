/**
 * Everything a city may configure about the loop, in one typed object. The server builds it at
 * boot from its database (calendar, deadline rules, source policy, auto-dispatch categories) and
 * passes it to `decide`; tests use the defaults or their own.
 */
import { defaultCalendar, type WorkingCalendar } from './calendar.ts';
import { defaultDeadlineRules } from './deadline-rules.ts';
import { type DeadlineRule, defaultWarning, type WarningPolicy } from './deadlines.ts';
import { type CaseSource, defaultSourcePolicies, type SourcePolicy } from './sources.ts';

export interface CaseRulesConfig {
  readonly calendar: WorkingCalendar;
  readonly deadlineRules: readonly DeadlineRule[];
  readonly warning: WarningPolicy;
  readonly sources: Readonly<Record<CaseSource, SourcePolicy>>;
  /**
   * Categories (exact codes or 2-digit majors) the system may dispatch by itself whatever the
   * source — the per-category switch of the responsibility matrix (智能派单).
   */
  readonly autoDispatchCategories: readonly string[];
}

export const defaultCaseConfig: CaseRulesConfig = {
  calendar: defaultCalendar,
  deadlineRules: defaultDeadlineRules,
  warning: defaultWarning,
  sources: defaultSourcePolicies,
  autoDispatchCategories: [],
};

/** True when `category` is listed exactly or by its major. */
export function categoryListed(list: readonly string[], category: string): boolean {
  return list.some((entry) => entry === category || (entry.length === 2 && category.startsWith(entry)));
}
