/**
 * Text normalisation for Chinese addresses: full-width forms to ASCII (NFKC), notes in brackets
 * dropped, whitespace removed, and Chinese numerals turned into digits where they count a door,
 * a lane, a building, a unit or a room (一百二十三号 → 123号), never inside a name (四平路, 长桥四村).
 */

const digit: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const unit: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/**
 * A run of Chinese numerals as a number: 一百二十三 → 123, 十五 → 15, 一千零八 → 1008; a run
 * without 十/百/千 is read digit by digit, as room numbers are spoken (三〇一 → 301).
 * Undefined for text that is not such a run.
 */
export function readChineseNumeral(text: string): number | undefined {
  if (text === '' || ![...text].every((c) => c in digit || c in unit)) return undefined;
  if (![...text].some((c) => c in unit)) {
    return Number([...text].map((c) => digit[c]).join(''));
  }
  let total = 0;
  let current = -1;
  let lastUnit = Infinity;
  for (const c of text) {
    const d = digit[c];
    if (d !== undefined) {
      if (current > 0) return undefined; // 二三十: two digits in a row
      if (current < 0 || d !== 0) current = d;
      continue;
    }
    const u = unit[c]!;
    if (u >= lastUnit) return undefined; // 十百: units must fall
    total += (current < 0 ? 1 : current) * u;
    current = -1;
    lastUnit = u;
  }
  if (current > 0) total += current;
  return total;
}

/** What may follow a number in an address: the marker tells what the number counts. */
const markers = '号楼|支弄|弄|号|幢|栋|座|单元|室|房|楼|层';
const numeralBeforeMarker = new RegExp(`([零〇一二两三四五六七八九十百千]+)(?=${markers})`, 'g');

export function normalizeAddressText(text: string): string {
  return (
    text
      .normalize('NFKC')
      // Notes in brackets (住宅), [已封控] … are not part of the address.
      .replace(/\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕/g, '')
      .replace(/[\s\u3000·,，。、;；:："'“”‘’]+/g, '')
      .replace(/[—–~～]/g, '-')
      .replace(/^中国/, '')
      .replace(numeralBeforeMarker, (run: string) => {
        const n = readChineseNumeral(run);
        return n === undefined ? run : String(n);
      })
  );
}
