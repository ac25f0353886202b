/**
 * The administrative tree and data scope. Area codes embed their parents' codes
 * (city 4 · district 6 · street 9 · community 12 · unit grid 15 digits), so "is X inside my
 * scope" is a prefix test — the same test in SQL (`code LIKE scope || '%'`) and here.
 */
export const areaLevels = ['city', 'district', 'street', 'community'] as const;
export type AreaLevel = (typeof areaLevels)[number];

export const areaCodeLength: Record<AreaLevel | 'unitGrid', number> = {
  city: 4,
  district: 6,
  street: 9,
  community: 12,
  unitGrid: 15,
};

export function levelOfCode(code: string): AreaLevel | 'unitGrid' | undefined {
  if (!/^\d+$/.test(code)) return undefined;
  switch (code.length) {
    case 4:
      return 'city';
    case 6:
      return 'district';
    case 9:
      return 'street';
    case 12:
      return 'community';
    case 15:
      return 'unitGrid';
    default:
      return undefined;
  }
}

/**
 * The one scope check: true when `code` (an area, grid or anything carrying an area code) lies in
 * the scope — a scope code, or a principal's `scopeCode`. Codes embed their parents, so it is a
 * prefix test, the same test SQL does with `code LIKE scope || '%'`.
 */
export function inScope(
  scope: string | { readonly scopeCode: string },
  code: string | null | undefined,
): boolean {
  const s = typeof scope === 'string' ? scope : scope.scopeCode;
  return typeof code === 'string' && code.startsWith(s);
}

/** The parent code of an area or unit grid code, or undefined for the city. */
export function parentCode(code: string): string | undefined {
  switch (code.length) {
    case 6:
      return code.slice(0, 4);
    case 9:
      return code.slice(0, 6);
    case 12:
      return code.slice(0, 9);
    case 15:
      return code.slice(0, 12);
    default:
      return undefined;
  }
}

/** Street/town kind from the 3-digit part of a GB/T 10114 code. */
export function streetKind(code: string): '街道' | '镇' | '乡' | '类似乡级单位' | undefined {
  const n = Number(code.slice(6, 9));
  if (!/^\d{9}$/.test(code)) return undefined;
  if (n <= 99) return '街道';
  if (n <= 199) return '镇';
  if (n <= 399) return '乡';
  return '类似乡级单位';
}
