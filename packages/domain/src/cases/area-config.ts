/**
 * Per-level ownership of the loop settings (分级管理): the city's settings are the defaults; a
 * district or a street may keep its own calendar, its own deadline rules and its own
 * auto-dispatch list for its subtree. The most specific area that sets a key wins; deadline rules
 * are layered instead (a local rule beats every inherited one, inherited rules still cover what
 * the local ones leave out).
 */
import type { WorkingCalendar } from './calendar.ts';
import type { CaseRulesConfig } from './config.ts';
import type { DeadlineRule } from './deadlines.ts';

/** The keys an area may own. */
export const areaSettingKeys = ['calendar', 'deadlineRules', 'autoDispatchCategories'] as const;
export type AreaSettingKey = (typeof areaSettingKeys)[number];

export interface AreaSettings {
  readonly calendar?: WorkingCalendar;
  readonly deadlineRules?: readonly DeadlineRule[];
  readonly autoDispatchCategories?: readonly string[];
}

/** One area's own settings. */
export interface AreaLayer {
  readonly areaCode: string;
  readonly settings: AreaSettings;
}

/** The layers that apply to `areaCode`: its own and its ancestors', least specific first. */
export function layersFor(layers: readonly AreaLayer[], areaCode: string): AreaLayer[] {
  return layers
    .filter((l) => areaCode.startsWith(l.areaCode))
    .sort((a, b) => a.areaCode.length - b.areaCode.length);
}

/** Where each key in force comes from: an area code, or `city` for the defaults. */
export type SettingOrigins = Record<AreaSettingKey, string>;

/**
 * The configuration in force for a case in `areaCode`, and where each key comes from. `base` is the
 * city's (defaults merged with the city's own settings).
 */
export function configForArea(
  base: CaseRulesConfig,
  layers: readonly AreaLayer[],
  areaCode: string | undefined,
): { config: CaseRulesConfig; origins: SettingOrigins } {
  const origins: SettingOrigins = { calendar: 'city', deadlineRules: 'city', autoDispatchCategories: 'city' };
  if (!areaCode) return { config: base, origins };
  let config = base;
  for (const layer of layersFor(layers, areaCode)) {
    const s = layer.settings;
    if (s.calendar) {
      config = { ...config, calendar: s.calendar };
      origins.calendar = layer.areaCode;
    }
    if (s.deadlineRules) {
      const own = s.deadlineRules.map((r) => ({ ...r, areaCode: layer.areaCode }));
      config = { ...config, deadlineRules: [...config.deadlineRules, ...own] };
      origins.deadlineRules = layer.areaCode;
    }
    if (s.autoDispatchCategories) {
      config = { ...config, autoDispatchCategories: s.autoDispatchCategories };
      origins.autoDispatchCategories = layer.areaCode;
    }
  }
  return { config, origins };
}

/**
 * May an administrator scoped to `scope` change what belongs to `areaCode`? Only inside its own
 * subtree, and the city's defaults (`areaCode` undefined) only from the city's scope (4 digits or
 * shorter).
 */
export function ownsArea(scope: string, areaCode: string | null | undefined): boolean {
  if (!areaCode) return scope.length <= 4;
  return areaCode.startsWith(scope);
}
