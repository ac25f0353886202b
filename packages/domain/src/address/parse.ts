/**
 * Free Chinese address text → its parts (上海市 / 区 / 街道·镇 / 路 / 弄 / 号 / 幢 / 单元 / 室),
 * the way Shanghai writes addresses. Every level may be missing; what the parser cannot place
 * is kept as `place` (a compound, a village, a building's name), so nothing typed is lost.
 */
import { normalizeAddressText } from './normalize.ts';

export interface AddressParts {
  city?: string;
  /** 黄浦区, 浦东新区, 崇明县 (before 2016). */
  district?: string;
  /** 街道, 镇 or 乡. */
  street?: string;
  /** The road, street or alley: 南京东路, 九亭大街, 人民大道, 沪南公路. */
  road?: string;
  /** The lane number (弄), a door number on the road in Shanghai: 张东路2281弄 → "2281". */
  lane?: string;
  /** A branch lane (支弄) inside the lane. */
  branch?: string;
  /** The door number (号): on the road, or inside the lane when there is one. "13-1" allowed. */
  number?: string;
  /** 幢, 号楼, 栋, 座: all written as 幢 in the standard text. */
  building?: string;
  unit?: string;
  /** 室 (or 房). */
  room?: string;
  /** Names the parser does not split: 长桥四村, 临江村西新队罗汉松, a building's name. */
  place?: string;
}

export interface ParseOptions {
  /** District names the city knows: lets "浦东" stand for 浦东新区 at the start of the text. */
  districts?: readonly string[];
}

const han = '\\u4e00-\\u9fff';
const notDistrict = /(小区|社区|园区|校区|景区|厂区|片区|开发区|工业区|新区新村)$/;
// Districts and counties are two or three characters and 区/县 (浦东新区 has 新区).
const districtRe = new RegExp(`^([${han}]{2,3}?(?:新区|区|县))`);
const streetRe = new RegExp(`^([${han}]{2,6}?(?:街道|镇|乡))(?!路|街|大道|公路|[0-9])`);
const shortIsRoad = new RegExp(`^[${han}]?(?:大道|公路|大街|路|街|巷|弄)`);
// 弄 after a name is a road of the old town (高家弄, 海南西弄); after digits it is a lane number.
// A road name followed by 村/队/宅 names a village (华路村).
const roadRe = new RegExp(`^([${han}]*?[${han}](?:大道|公路|大街|路|街|巷|弄))(?![村队宅苑])`);

/** The road's name without its kind: 南京东路 → 南京东, 九亭大街 → 九亭 (路/街 variants meet). */
export function roadStem(road: string): string {
  return road.replace(/(大道|公路|大街|路|街|巷|弄)$/, '');
}

function cut(s: string, re: RegExp): [string | undefined, string] {
  const m = re.exec(s);
  return m ? [m[1], s.slice(m[0].length)] : [undefined, s];
}

const trimZeros = (n: string) => n.replace(/^0+(?=\d)/, '');

type Rule = [RegExp, (m: RegExpExecArray, out: AddressParts, place: string) => void];

/** The numbered parts after the road, tried in this order at each position. */
const tailRules: Rule[] = [
  [/^(\d+)支弄/, (m, o) => (o.branch ??= trimZeros(m[1]!))],
  [/^(\d+)弄/, (m, o) => (o.lane ??= trimZeros(m[1]!))],
  [/^([0-9]+[A-Za-z]?|[A-Za-z])(号楼|幢|栋|座)/, (m, o) => (o.building ??= trimZeros(m[1]!))],
  [
    /^(\d+(?:-\d+)?)号/,
    (m, o) => {
      if (o.number === undefined) o.number = trimZeros(m[1]!);
      else o.building ??= trimZeros(m[1]!);
    },
  ],
  [/^(\d+)单元/, (m, o) => (o.unit ??= trimZeros(m[1]!))],
  [/^(\d+)(?:室|房)/, (m, o) => (o.room ??= trimZeros(m[1]!))],
  // A floor: the room number carries it already.
  [/^(\d+)(?:楼|层)/, () => {}],
  [
    /^(\d+(?:-\d+)*)(?![0-9])/,
    (m, o, place) => {
      // Bare digits: the door number when there is none yet (浦电路221, 12-1202), else the room.
      const parts = m[1]!.split('-');
      if (o.number === undefined && (o.road !== undefined || o.lane !== undefined || place)) {
        o.number = trimZeros(parts[0]!);
        if (parts.length > 2) o.building ??= trimZeros(parts[1]!);
        if (parts.length > 1) o.room ??= trimZeros(parts.at(-1)!);
      } else o.room ??= trimZeros(m[1]!);
    },
  ],
];

/** The numbered parts after the road (or a place): 2281弄5号3幢2单元201室. Returns the rest. */
function parseTail(s: string, out: AddressParts, before: string): string {
  let place = '';
  let rest = s;
  outer: while (rest.length > 0) {
    for (const [re, apply] of tailRules) {
      const m = re.exec(rest);
      if (m) {
        apply(m, out, before + place);
        rest = rest.slice(m[0].length);
        continue outer;
      }
    }
    place += rest[0];
    rest = rest.slice(1);
  }
  return place;
}

export function parseAddress(text: string, options: ParseOptions = {}): AddressParts {
  const out: AddressParts = {};
  const [city, afterCity] = cut(normalizeAddressText(text), /^(上海市?)/);
  let s = afterCity;
  if (city) out.city = '上海市';
  for (const d of options.districts ?? []) {
    const short = d.replace(/(新区|区|县)$/, '');
    if (s.startsWith(d)) {
      out.district = d;
      s = s.slice(d.length);
      break;
    }
    // 黄浦路, 浦东南路 and 浦东大道 are roads, not 黄浦区 or 浦东新区.
    if (short.length >= 2 && s.startsWith(short) && !shortIsRoad.test(s.slice(short.length))) {
      out.district = d;
      s = s.slice(short.length);
      break;
    }
  }
  if (!out.district) {
    const [d, after] = cut(s, districtRe);
    if (d && !notDistrict.test(d)) {
      out.district = d;
      s = after;
    }
  }
  const [street, afterStreet] = cut(s, streetRe);
  if (street) {
    out.street = street;
    // 安亭镇安亭镇星光村: the town typed twice (once as the level, once inside the name).
    s = afterStreet.startsWith(street) ? afterStreet.slice(street.length) : afterStreet;
  }
  const [road, afterRoad] = cut(s, roadRe);
  let place = '';
  if (road) {
    out.road = road;
    s = afterRoad;
  } else {
    // No road first: a compound or village name, then perhaps numbers (长桥四村12号).
    const m = /^[^0-9]*/.exec(s)!;
    place = m[0];
    s = s.slice(place.length);
  }
  place += parseTail(s, out, place);
  if (place) out.place = place;
  return out;
}

const suffix = (v: string | undefined, mark: string) => (v === undefined ? '' : `${v}${mark}`);

/** The numbered part in standard form: 2281弄5号3幢2单元201室. */
function numbered(p: AddressParts): string {
  return (
    suffix(p.lane, '弄') +
    suffix(p.branch, '支弄') +
    suffix(p.number, '号') +
    suffix(p.building, '幢') +
    suffix(p.unit, '单元') +
    suffix(p.room, '室')
  );
}

/**
 * What the geocoder compares by trigrams: road, numbers and place, without the city, district
 * and street (people leave those out, and they are matched as parts).
 */
export function addressKey(p: AddressParts): string {
  return p.road ? `${p.road}${numbered(p)}${p.place ?? ''}` : `${p.place ?? ''}${numbered(p)}`;
}

/** The standard text: 上海市黄浦区南京东路100号, with whatever levels are known. */
export function formatAddress(p: AddressParts, options: { city?: boolean } = {}): string {
  return `${options.city === false ? '' : (p.city ?? '')}${p.district ?? ''}${addressKey(p)}`;
}

/**
 * Where on its road an address lies, for interpolation: the lane number, or the door number
 * when there is no lane (a door inside a lane says nothing about the road).
 */
export function roadPosition(p: AddressParts): number | undefined {
  if (!p.road) return undefined;
  const n = p.lane ?? p.number;
  if (n === undefined) return undefined;
  const v = Number.parseInt(n, 10);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}
