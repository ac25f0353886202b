import type { Rng } from './prng.ts';

/**
 * Unified social credit codes (统一社会信用代码, GB 32100-2015) for demo departments: 18 characters =
 * registration authority 1 + organisation category 1 + division code 6 + organisation code 9
 * (GB 11714, with its own check character) + check character. Generated with valid check
 * characters so that validators in other systems accept them; they belong to no real body.
 */

const charset = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const weights18 = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const weights9 = [3, 7, 9, 10, 5, 8, 4, 2];

function orgCodeCheck(body: string): string {
  const sum = body.split('').reduce((s, ch, i) => s + Number.parseInt(ch, 36) * weights9[i]!, 0);
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

export function creditCodeCheck(first17: string): string {
  const sum = first17.split('').reduce((s, ch, i) => s + charset.indexOf(ch) * weights18[i]!, 0);
  return charset[(31 - (sum % 31)) % 31]!;
}

export function isValidCreditCode(code: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return false;
  return creditCodeCheck(code.slice(0, 17)) === code[17];
}

/**
 * A credit code for a government body ('11': 机构编制, 机关) or an enterprise ('91': 工商, 企业)
 * registered in `division` (a 6-digit GB/T 2260 code).
 */
export function makeCreditCode(rng: Rng, division: string, kind: 'government' | 'enterprise'): string {
  let body = '';
  for (let i = 0; i < 8; i++) body += String(rng.int(0, 9));
  const org = body + orgCodeCheck(body);
  const first17 = `${kind === 'government' ? '11' : '91'}${division.padEnd(6, '0').slice(0, 6)}${org}`;
  return first17 + creditCodeCheck(first17);
}
