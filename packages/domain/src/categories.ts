/**
 * The category catalogue's rules: which standard a row belongs to, how legacy codes map onto
 * current ones, local extensions, and the pairs reporters confuse. Rows themselves live in the
 * database (seeded from categories.csv); this file decides, the server stores.
 */

export const categoryKinds = ['component', 'event', 'legacy-component', 'legacy-event'] as const;
export type CategoryKind = (typeof categoryKinds)[number];
export type CurrentKind = 'component' | 'event';

export const currentStandard = 'GB/T 47678.5-2026';

/** One row of categories.csv. */
export interface CatalogueCsvRow {
  standard: string;
  kind: string;
  major_code: string;
  major_name: string;
  code: string;
  name: string;
}

export function catalogueKind(standard: string, kind: string): CategoryKind {
  if (kind !== 'component' && kind !== 'event') throw new Error(`unknown category kind "${kind}"`);
  return standard === currentStandard ? kind : `legacy-${kind}`;
}

/** Majors under which each current kind lives (GB/T 47678.5-2026). */
export const currentMajors: Record<CurrentKind, readonly string[]> = {
  component: ['01', '02', '03', '04', '05'],
  event: ['06', '07', '08', '09', '10'],
};

// Spelling variants between the 2013/2007 lists and the 2026 list that name the same thing.
const variants: Array<[RegExp, string]> = [
  [/（/g, '('],
  [/）/g, ')'],
  [/\s+/g, ''],
  [/通讯/g, '通信'],
  [/坐椅/g, '座椅'],
  [/^上水井盖$/, '供水井盖'],
];

export function normaliseCategoryName(name: string): string {
  return variants.reduce((s, [re, to]) => s.replace(re, to), name.trim());
}

/**
 * For each legacy row, the current code of the same kind whose name matches (after spelling
 * variants), keyed `kind:code`. Legacy rows with no match are left unmapped: a guess would
 * silently misfile imported data.
 */
export function legacyMappings(rows: readonly CatalogueCsvRow[]): Map<string, string> {
  const current = new Map<string, string>();
  for (const r of rows) {
    if (r.standard !== currentStandard) continue;
    const key = `${r.kind}:${normaliseCategoryName(r.name)}`;
    if (!current.has(key)) current.set(key, r.code);
  }
  const out = new Map<string, string>();
  for (const r of rows) {
    if (r.standard === currentStandard) continue;
    const match = current.get(`${r.kind}:${normaliseCategoryName(r.name)}`);
    if (match) out.set(`${catalogueKind(r.standard, r.kind)}:${r.code}`, match);
  }
  return out;
}

/**
 * Easily confused categories (DOMAIN.md), with a hint that tells them apart, for the reporting UI.
 */
export const confusableGroups: ReadonlyArray<ReadonlyArray<{ code: string; hint: string }>> = [
  [
    { code: '06010', hint: '暴露垃圾：散落在路面、绿地等处的零星生活垃圾，不在容器里' },
    { code: '06042', hint: '垃圾站（箱）满溢：垃圾在垃圾箱、垃圾站里装满后溢出' },
    { code: '06011', hint: '积存垃圾渣土：长期堆积、成堆的垃圾或建筑渣土' },
  ],
  [
    { code: '06012', hint: '道路不洁：路面有污渍、尘土、零星杂物，保洁不到位' },
    { code: '06014', hint: '道路遗撒：车辆运输途中沿路撒落的渣土、砂石、液体' },
  ],
  [
    { code: '07003', hint: '违规户外广告：未经许可或超期、破损的户外广告设施' },
    { code: '07001', hint: '非法小广告：张贴、涂写、刻画在墙面、设施上的小广告' },
    { code: '07006', hint: '违规牌匾标识：店招、牌匾不规范、破损或未经许可' },
  ],
  [
    { code: '09005', hint: '店外经营：沿街店铺把经营活动延伸到店门外' },
    { code: '09006', hint: '占道经营：无固定店面的摊贩占用道路、人行道经营' },
  ],
];

/** The hint and the confusable codes for an event category, if it belongs to a group. */
export function confusionOf(code: string): { hint: string; confusableWith: string[] } | undefined {
  for (const group of confusableGroups) {
    const me = group.find((g) => g.code === code);
    if (me) return { hint: me.hint, confusableWith: group.filter((g) => g.code !== code).map((g) => g.code) };
  }
  return undefined;
}

/** Local minors are numbered down from 999 (GB/T 47678.5 leaves 9xx to local extension). */
export const localMinorFirst = 999;
export const localMinorLast = 900;

export function isLocalCode(code: string): boolean {
  const minor = Number(code.slice(2));
  return /^\d{5}$/.test(code) && minor >= localMinorLast && minor <= localMinorFirst;
}

/** The next free local code under `major` (e.g. 06 → 06999, then 06998 …), or undefined when full. */
export function nextLocalCode(major: string, taken: Iterable<string>): string | undefined {
  const used = new Set(taken);
  for (let minor = localMinorFirst; minor >= localMinorLast; minor--) {
    const code = `${major}${minor}`;
    if (!used.has(code)) return code;
  }
  return undefined;
}

/** Why a local extension is refused, or undefined when it is fine. */
export function localCategoryProblem(kind: string, major: string, code?: string): string | undefined {
  if (kind !== 'component' && kind !== 'event') return 'local categories extend component or event kinds';
  if (!currentMajors[kind].includes(major)) {
    return `major ${major} is not a ${kind} major (${currentMajors[kind].join(', ')})`;
  }
  if (code !== undefined) {
    if (!code.startsWith(major)) return `code ${code} is not under major ${major}`;
    if (!isLocalCode(code))
      return `local codes run from ${major}${localMinorFirst} down to ${major}${localMinorLast}`;
  }
  return undefined;
}
