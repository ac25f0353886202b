/**
 * Personal information by class (个人信息分级, PIPL; docs/security.md "Personal information
 * protection"). Every field that can carry personal data is classified here once; the server's
 * presentation layer (packages/server/src/privacy/) applies the masks on every way data leaves.
 *
 * - public: may be shown to anyone (case number, category, status, district).
 * - internal: staff in scope only; free text is scrubbed of phone and ID numbers before any public output.
 * - sensitive: masked for everyone; shown in full only through an audited "show in full".
 * - secret: never leaves (password and token hashes, tracking keys, api keys).
 */
export const dataClasses = ['public', 'internal', 'sensitive', 'secret'] as const;
export type DataClass = (typeof dataClasses)[number];

export const fieldClasses = {
  'case.number': 'public',
  'case.category': 'public',
  'case.status': 'public',
  'case.location': 'internal',
  'case.address': 'internal',
  'case.description': 'internal',
  'case.reporterName': 'sensitive',
  'case.reporterContact': 'sensitive',
  'case.trackingKey': 'secret',
  'user.displayName': 'internal',
  'user.phone': 'sensitive',
  'user.passwordHash': 'secret',
  'session.token': 'secret',
  'device.token': 'secret',
  'open311.apiKey': 'secret',
  'department.phone': 'internal',
} as const satisfies Record<string, DataClass>;
export type ClassifiedField = keyof typeof fieldClasses;

/** Two-character surnames kept whole (欧阳娜娜 → 欧阳**). */
const compoundSurnames = new Set([
  '欧阳',
  '司马',
  '诸葛',
  '上官',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '令狐',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '端木',
  '独孤',
  '南宫',
  '西门',
  '轩辕',
  '呼延',
]);

/** 张三 → 张*, 欧阳娜娜 → 欧阳**, John Smith → J***. Keeps the surname, never the given name. */
export function maskName(name: string | null | undefined): string | null {
  if (!name) return name ?? null;
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  if (/^[\p{Script=Han}·]+$/u.test(name.trim())) {
    const keep = chars.length > 2 && compoundSurnames.has(chars.slice(0, 2).join('')) ? 2 : 1;
    if (chars.length === 1) return chars[0]!;
    return chars.slice(0, keep).join('') + '*'.repeat(chars.length - keep);
  }
  return `${chars[0]}***`;
}

/** 13812345678 → 138****5678; 021-63211234 → 021****1234; a short number → its last 2 digits. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return phone ?? null;
  const digits = phone.replace(/[^\d+]/g, '');
  if (digits.length >= 7) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  return `****${digits.slice(-2)}`;
}

/**
 * 18-digit resident ID (居民身份证, GB 11643): the first 3 and last 4 stay (province and city
 * prefix, the check part), birth date and the rest go: 310***********123X.
 */
export function maskIdNumber(id: string | null | undefined): string | null {
  if (!id) return id ?? null;
  return `${id.slice(0, 3)}${'*'.repeat(Math.max(0, id.length - 7))}${id.slice(-4)}`;
}

/** A reporter's contact: phone, e-mail or anything else, masked. */
export function maskContact(v: string | null | undefined): string | null {
  if (!v) return v ?? null;
  if (/^\+?[\d\s-]{7,}$/.test(v)) return maskPhone(v);
  const at = v.indexOf('@');
  if (at > 0) return `${v[0]}***${v.slice(at)}`;
  return `${v.slice(0, 1)}***`;
}

// 18-digit IDs first (they contain 11-digit runs), then mobiles, then landlines with an area code.
const idPattern =
  /(?<![\dA-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])/g;
const mobilePattern = /(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)/g;
const landlinePattern = /(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)/g;

/** Free text for public outputs: phone and ID numbers typed into it are masked. */
export function scrubText(text: string): string;
export function scrubText(text: string | null): string | null;
export function scrubText(text: string | null): string | null {
  if (!text) return text;
  return text
    .replace(idPattern, (m) => maskIdNumber(m)!)
    .replace(mobilePattern, (m) => maskPhone(m.replace(/^\+?86[\s-]?/, ''))!)
    .replace(landlinePattern, (m) => maskPhone(m)!);
}
