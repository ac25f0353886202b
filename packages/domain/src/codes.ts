/**
 * Code shapes, legacy code mapping and attribute values, as the standards give them (see
 * DOMAIN.md, "Codes"), plus the property aliases that let imports accept real-world files.
 * Pure functions: the import service, the seeder and the web app's forms all call them.
 */

export type CodeLevel = 'district' | 'street' | 'community' | 'unitGrid' | 'component';

export const codeLengths: Record<CodeLevel, number> = {
  district: 6,
  street: 9,
  community: 12,
  unitGrid: 15,
  component: 17,
};

const codeLabels: Record<CodeLevel, string> = {
  district: 'district (GB/T 2260)',
  street: 'street/town (GB/T 10114)',
  community: 'community',
  unitGrid: 'unit grid (GB/T 30428.1)',
  component: 'component (GB/T 47678.5)',
};

export type CodeCheck = { ok: true; code: string; legacyCode?: string } | { ok: false; reason: string };

/** A code as text: numbers from JSON become strings, spreadsheet floats ("310101.0") lose ".0". */
export function codeText(raw: unknown): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === 'number') return Number.isFinite(raw) ? String(raw) : undefined;
  if (typeof raw !== 'string') return undefined;
  const s = raw.trim().replace(/\.0+$/, '');
  return s === '' ? undefined : s;
}

/** CJ/T 213's 14-digit grid code (2-digit sequence) → the 15-digit code (3-digit sequence). */
export function legacyGridToCurrent(code14: string): string {
  return `${code14.slice(0, 12)}0${code14.slice(12)}`;
}

/** CJ/T 214's 16-digit component id (2-digit minor) → GB/T 47678.5's 17 digits (3-digit minor). */
export function legacyComponentToCurrent(id16: string): string {
  return `${id16.slice(0, 8)}0${id16.slice(8)}`;
}

/** The 5-digit category (major 2 + minor 3) inside a 17-digit component id. */
export function componentCategoryOf(id17: string): string {
  return id17.slice(6, 11);
}

/** The district (first 6 digits) that issued a component id or any area code. */
export function districtOf(code: string): string {
  return code.slice(0, 6);
}

/**
 * Checks a code's shape for its level. Legacy grid (14) and component (16) codes are accepted
 * and mapped to the current length; the original comes back as `legacyCode`.
 */
export function checkCode(level: CodeLevel, raw: unknown): CodeCheck {
  const code = codeText(raw);
  if (code === undefined) return { ok: false, reason: `no ${codeLabels[level]} code` };
  if (!/^\d+$/.test(code)) {
    return { ok: false, reason: `${codeLabels[level]} code "${code}" must be digits only` };
  }
  const want = codeLengths[level];
  if (code.length === want) return { ok: true, code };
  if (level === 'unitGrid' && code.length === 14) {
    return { ok: true, code: legacyGridToCurrent(code), legacyCode: code };
  }
  if (level === 'component' && code.length === 16) {
    return { ok: true, code: legacyComponentToCurrent(code), legacyCode: code };
  }
  const legacy =
    level === 'unitGrid' ? ' (or 14 in CJ/T 213)' : level === 'component' ? ' (or 16 in CJ/T 214)' : '';
  return {
    ok: false,
    reason: `${codeLabels[level]} code "${code}" has ${code.length} digits; it needs ${want}${legacy}`,
  };
}

/** Undefined when `code` properly extends `parent`, else the reason it does not. */
export function checkCodeInParent(code: string, parent: string): string | undefined {
  return code.startsWith(parent) ? undefined : `code ${code} does not start with its parent's code ${parent}`;
}

/** City (4 digits) that a district code belongs to: 31xxxx → 3101 (Shanghai). */
export function cityOf(districtCode: string): string {
  return districtCode.slice(0, 4);
}

const cityNames: Record<string, string> = {
  '1101': '北京市',
  '1201': '天津市',
  '3101': '上海市',
  '5001': '重庆市',
};

export function cityNameOf(cityCode: string): string {
  return cityNames[cityCode] ?? cityCode;
}

/** 居委会 / 村委会 from a community's name, when it says. */
export function communityKindOf(name: string): '居委会' | '村委会' | undefined {
  if (/(居委会|居民委员会|社区)$/.test(name)) return '居委会';
  if (/(村委会|村民委员会|村)$/.test(name)) return '村委会';
  return undefined;
}

// ---- Component attribute values (GB/T 47678.5 table 2) -------------------------------------

export const componentStatuses = ['intact', 'damaged', 'missing', 'abandoned', 'removed'] as const;
export type ComponentStatus = (typeof componentStatuses)[number];

const statusWords: Record<string, ComponentStatus> = {
  intact: 'intact',
  ok: 'intact',
  normal: 'intact',
  完好: 'intact',
  正常: 'intact',
  damaged: 'damaged',
  broken: 'damaged',
  破损: 'damaged',
  损坏: 'damaged',
  missing: 'missing',
  lost: 'missing',
  丢失: 'missing',
  缺失: 'missing',
  abandoned: 'abandoned',
  废弃: 'abandoned',
  removed: 'removed',
  移除: 'removed',
  拆除: 'removed',
};

export function parseComponentStatus(raw: unknown): ComponentStatus | undefined {
  return typeof raw === 'string' ? statusWords[raw.trim().toLowerCase()] : undefined;
}

export const componentDataSources = ['surveyed', 'map', 'other'] as const;
export type ComponentDataSource = (typeof componentDataSources)[number];

const sourceWords: Record<string, ComponentDataSource> = {
  surveyed: 'surveyed',
  survey: 'surveyed',
  普查: 'surveyed',
  实测: 'surveyed',
  测量: 'surveyed',
  map: 'map',
  地图: 'map',
  图上: 'map',
  地形图: 'map',
  other: 'other',
  其他: 'other',
  其它: 'other',
};

export function parseComponentDataSource(raw: unknown): ComponentDataSource | undefined {
  return typeof raw === 'string' ? sourceWords[raw.trim().toLowerCase()] : undefined;
}

/** A calendar date as YYYY-MM-DD from 2024-03-05, 2024/3/5, 20240305 or an ISO timestamp. */
export function parseDateOnly(raw: unknown): string | undefined {
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const s = String(raw).trim();
  const m = /^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900 || y > 2100 || mo < 1 || mo > 12 || d < 1) return undefined;
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCMonth() !== mo - 1) return undefined;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The 18-character unified social credit code (统一社会信用代码), shape only. */
export function isUnifiedCreditCode(s: string): boolean {
  return /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(s);
}

// ---- Property aliases ------------------------------------------------------------------------

/**
 * What a field may be called in the files cities actually have: English snake/camel case,
 * the NBS and DataV names, and the Chinese column headings of survey spreadsheets. Matching
 * ignores case, spaces, '-' and '_'. Earlier aliases win when a row has several.
 */
export const fieldAliases = {
  code: ['code', 'adcode', 'id', 'gbcode', '编码', '代码', '区划代码', '统计用区划代码'],
  name: ['name', '名称', 'title', 'mc'],
  parentCode: ['parent_code', 'parent', 'parent_adcode', 'pcode', '上级代码', '上级编码'],
  districtCode: [
    'district_code',
    'district_adcode',
    'county_code',
    'qxdm',
    '区县代码',
    '区代码',
    '所属区县代码',
  ],
  streetCode: ['street_code', 'town_code', 'jddm', '街道代码', '街镇代码', '乡镇代码', '所属街道代码'],
  communityCode: ['community_code', 'village_code', 'sqdm', '社区代码', '居村代码', '所属社区代码'],
  streetName: ['street_name', 'town_name', '街道名称', '街镇名称', '所属街道'],
  communityName: ['community_name', 'village_name', '社区名称', '居村名称', '所属社区'],
  unitGridCode: [
    'unit_grid_code',
    'grid_code',
    'unit_grid',
    'dywgdm',
    '单元网格代码',
    '单元网格',
    '所在单元网格',
  ],
  dutyGridCode: ['duty_grid_code', 'duty_grid', 'responsibility_grid', '责任网格代码', '责任网格'],
  kind: ['kind', 'type_name', '类型'],
  areaClass: ['area_class', 'class', '区域等级', '区域类别'],
  population: ['population', '人口'],
  componentId: ['id', 'component_id', 'code', 'bjbm', 'objcode', '部件编码', '部件标识码', '标识码', '编码'],
  categoryCode: ['category_code', 'category', 'type_code', 'lbdm', '类别代码', '小类代码', '部件类别'],
  componentName: ['name', 'component_name', 'bjmc', 'objname', '部件名称', '名称'],
  ownerDeptCode: ['owner_dept_code', 'owner_code', 'dept_code', 'zgbmdm', '主管部门代码'],
  ownerDeptName: [
    'owner_dept_name',
    'owner_dept',
    'owner',
    'dept_name',
    'zgbmmc',
    '主管部门名称',
    '主管部门',
  ],
  propertyUnitCode: ['property_unit_code', 'qsdwdm', '权属单位代码'],
  propertyUnitName: ['property_unit_name', 'property_unit', 'qsdwmc', '权属单位名称', '权属单位'],
  maintainerCode: ['maintainer_code', 'yhdwdm', '养护单位代码'],
  maintainerName: ['maintainer_name', 'maintainer', 'yhdwmc', '养护单位名称', '养护单位'],
  status: ['status', 'state', 'bjzt', '部件状态', '状态'],
  surveyDate: [
    'survey_date',
    'first_survey_date',
    'initial_date',
    'cssj',
    '初始时间',
    '普查时间',
    '采集时间',
  ],
  changeDate: ['change_date', 'changed_at', 'bgsj', '变更时间'],
  dataSource: ['data_source', 'source', 'sjly', '数据来源'],
  note: ['note', 'notes', 'remark', 'bz', '备注'],
  address: ['address', 'addr', 'std_address', '标准地址', '地址', 'full_address'],
  districtName: ['district_name', 'district', 'county_name', '区县名称', '区县', '所属区县', '所在区'],
  addressCode: ['address_code', 'std_code', 'code', 'dzbm', '地址编码', '标准地址编码'],
  aliases: ['aliases', 'alias', 'bm', '别名'],
  formerNames: ['former_names', 'former_name', 'old_name', 'cym', '曾用名', '旧名'],
  featureCode: ['code', 'id', 'osm_id', '@id', 'fid', 'objectid', '编码', '要素编码'],
  featureName: ['name:zh', 'name_zh', 'name', '名称', '道路名称', '路名', '水系名称'],
  roadClass: ['class', 'highway', 'fclass', 'road_class', 'type', '道路等级', '等级'],
  waterClass: ['class', 'waterway', 'natural', 'water', 'fclass', 'type', '水系类型', '类型'],
  width: ['width', 'width_m', '宽度'],
} as const satisfies Record<string, readonly string[]>;

export type AliasedField = keyof typeof fieldAliases;

const normKey = (k: string) => k.toLowerCase().replace(/[\s_-]/g, '');

/**
 * Reads aliased fields from a row's properties. The key → field resolution is cached per key
 * set, so a file whose rows share their columns pays for it once, not once per row.
 */
export class PropertyReader<F extends AliasedField> {
  private readonly cache = new Map<string, [F, string[]][]>();

  constructor(private readonly fields: readonly F[]) {}

  /** Which property keys serve each field (in alias order), for a given set of keys. */
  resolve(keys: readonly string[]): [F, string[]][] {
    const signature = keys.join('\u0001');
    let resolved = this.cache.get(signature);
    if (resolved) return resolved;
    const byNorm = new Map<string, string>();
    for (const k of keys) if (!byNorm.has(normKey(k))) byNorm.set(normKey(k), k);
    resolved = [];
    for (const f of this.fields) {
      const found = fieldAliases[f].map((a) => byNorm.get(normKey(a))).filter((k) => k !== undefined);
      if (found.length > 0) resolved.push([f, [...new Set(found)]]);
    }
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(signature, resolved);
    return resolved;
  }

  /** Each field's first non-blank value (strings trimmed); blanks and nulls read as absent. */
  read(props: Record<string, unknown>): Partial<Record<F, unknown>> {
    const out: Partial<Record<F, unknown>> = {};
    for (const [f, keys] of this.resolve(Object.keys(props))) {
      for (const key of keys) {
        const v = props[key];
        if (v === null || v === undefined) continue;
        if (typeof v === 'string') {
          const t = v.trim();
          if (t === '') continue;
          out[f] = t;
        } else out[f] = v;
        break;
      }
    }
    return out;
  }
}

/** Text of an optional attribute value, or undefined. */
export function textOf(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v)).trim();
  return s === '' ? undefined : s;
}
