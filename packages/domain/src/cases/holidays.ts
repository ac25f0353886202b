/**
 * Public holidays (法定节假日) and make-up working days (调休上班) as the State Council publishes
 * them each November (国务院办公厅关于 YYYY 年部分节假日安排的通知). The schedule is data: the
 * official 2026 one ships as the default calendar's, and an administrator loads the next year's by
 * pasting the notice's text, which `parseHolidayNotice` reads.
 */

export interface HolidaySchedule {
  readonly year: number;
  /** `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD`, inclusive, local dates. */
  readonly holidays: readonly string[];
  /** Weekend days worked instead (调休上班). */
  readonly workdays: readonly string[];
  /** The festival each holiday range belongs to, in the notice's order. */
  readonly festivals: readonly { readonly name: string; readonly range: string }[];
}

/** 国务院办公厅关于2026年部分节假日安排的通知 (as published in November 2025). */
export const holidays2026: HolidaySchedule = {
  year: 2026,
  holidays: [
    '2026-01-01..2026-01-03',
    '2026-02-15..2026-02-23',
    '2026-04-04..2026-04-06',
    '2026-05-01..2026-05-05',
    '2026-06-19..2026-06-21',
    '2026-09-25..2026-09-27',
    '2026-10-01..2026-10-07',
  ],
  workdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  festivals: [
    { name: '元旦', range: '2026-01-01..2026-01-03' },
    { name: '春节', range: '2026-02-15..2026-02-23' },
    { name: '清明节', range: '2026-04-04..2026-04-06' },
    { name: '劳动节', range: '2026-05-01..2026-05-05' },
    { name: '端午节', range: '2026-06-19..2026-06-21' },
    { name: '中秋节', range: '2026-09-25..2026-09-27' },
    { name: '国庆节', range: '2026-10-01..2026-10-07' },
  ],
};

export type NoticeProblem = { readonly line: string; readonly reason: string };

export interface ParsedNotice extends HolidaySchedule {
  /** Lines that name a festival but could not be read; empty when every one was. */
  readonly problems: readonly NoticeProblem[];
}

const festivalNames = [
  '元旦',
  '春节',
  '清明节',
  '清明',
  '劳动节',
  '五一',
  '端午节',
  '端午',
  '中秋节',
  '中秋',
  '国庆节',
  '国庆',
];

/** Full-width digits and punctuation to their ASCII forms. */
function halfWidth(text: string): string {
  return text
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[（]/g, '(')
    .replace(/[）]/g, ')')
    .replace(/[：]/g, ':')
    .replace(/[，]/g, ',')
    .replace(/[、]/g, ',');
}

const pad = (n: number) => String(n).padStart(2, '0');

function isoDate(year: number, month: number, day: number): string | undefined {
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
    return undefined;
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** A date written `M月D日`, or `D日` after a month already named; weekdays in brackets are dropped. */
const datePattern = /(?:(\d{1,2})月)?(\d{1,2})日/g;

/**
 * Reads a State Council holiday notice: each numbered festival line gives a holiday range
 * ("…:1月1日(周四)至3日(周六)放假调休,共3天。1月4日(周日)上班。") and its make-up working days.
 * A range that crosses into the next year (元旦 written in the previous year's notice) is kept.
 */
export function parseHolidayNotice(text: string, year: number): ParsedNotice {
  const holidays: string[] = [];
  const workdays: string[] = [];
  const festivals: { name: string; range: string }[] = [];
  const problems: NoticeProblem[] = [];
  const lines = halfWidth(text)
    // Weekdays and lunar dates in brackets say nothing the dates do not.
    .replace(/\([^)]*\)/g, '')
    .split(/\n|(?=[一二三四五六七八九十]+,)/)
    .map((l) => l.trim())
    .filter(Boolean);
  for (const line of lines) {
    const name = festivalNames.find((f) => line.includes(f));
    if (!name || !/放假/.test(line)) continue;
    const [offPart, ...rest] = line.split('放假');
    const off = readDates(offPart ?? '', year);
    // The preamble names every festival but no date: not a festival line.
    if (off.length === 0) continue;
    if (off.length > 2 || off.includes(undefined)) {
      problems.push({ line, reason: 'no holiday dates before 放假' });
      continue;
    }
    const [first, last = first] = off as string[];
    if ((last as string) < (first as string)) {
      problems.push({ line, reason: 'the holiday ends before it starts' });
      continue;
    }
    const range = first === last ? (first as string) : `${first}..${last}`;
    holidays.push(range);
    festivals.push({ name: name.endsWith('节') || name === '元旦' ? name : `${name}节`, range });
    // Make-up days: every date in a sentence that ends in 上班.
    const after = rest.join('放假');
    for (const sentence of after.split(/[。;；]/)) {
      if (!sentence.includes('上班')) continue;
      for (const d of readDates(sentence, year)) {
        if (d) workdays.push(d);
        else problems.push({ line, reason: 'a make-up working day that is not a date' });
      }
    }
  }
  if (festivals.length === 0) problems.push({ line: '', reason: 'no festival line found (元旦, 春节, …)' });
  return { year, holidays, workdays: [...new Set(workdays)].sort(), festivals, problems };
}

function readDates(part: string, year: number): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let month: number | undefined;
  for (const m of part.matchAll(datePattern)) {
    if (m[1]) month = Number(m[1]);
    if (month === undefined) {
      out.push(undefined);
      continue;
    }
    // A date earlier in the year than the first one read belongs to the next year (元旦 in December's notice).
    const y = out.length > 0 && out[0] && Number(out[0].slice(5, 7)) > month ? year + 1 : year;
    out.push(isoDate(y, month, Number(m[2])));
  }
  return out;
}
