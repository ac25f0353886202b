import { describe, expect, it } from 'vitest';
import { isWorkingDay, localTime } from './calendar.ts';
import { holidays2026, parseHolidayNotice } from './holidays.ts';

// The 2026 notice as published (国务院办公厅关于2026年部分节假日安排的通知), full-width punctuation.
const notice2026 = `经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。`;

describe('State Council holiday notices (法定节假日)', () => {
  it('reads the 2026 notice into exactly the shipped schedule', () => {
    const parsed = parseHolidayNotice(notice2026, 2026);
    expect(parsed.problems).toEqual([]);
    expect(parsed.holidays).toEqual(holidays2026.holidays);
    expect(parsed.workdays).toEqual(holidays2026.workdays);
    expect(parsed.festivals.map((f) => f.name)).toEqual([
      '元旦',
      '春节',
      '清明节',
      '劳动节',
      '端午节',
      '中秋节',
      '国庆节',
    ]);
  });

  it('reads one line pasted alone, in ASCII punctuation, and a single-day holiday', () => {
    const p = parseHolidayNotice('三、清明节:4月5日(周日)放假,共1天。', 2027);
    expect(p.holidays).toEqual(['2027-04-05']);
    expect(p.problems).toEqual([]);
  });

  it('keeps a 元旦 range that runs into the next year', () => {
    const p = parseHolidayNotice('一、元旦：12月30日至1月1日放假调休，共3天。12月27日（周日）上班。', 2027);
    expect(p.holidays).toEqual(['2027-12-30..2028-01-01']);
    expect(p.workdays).toEqual(['2027-12-27']);
  });

  it('says what it could not read instead of guessing', () => {
    expect(parseHolidayNotice('今天天气很好', 2027).problems).toHaveLength(1);
    const bad = parseHolidayNotice('二、春节：2月30日至3日放假调休，共9天。', 2027);
    expect(bad.holidays).toEqual([]);
    expect(bad.problems[0]?.reason).toMatch(/放假/);
  });

  it('is the default calendar: 国庆 is off, the make-up Saturday is worked', () => {
    expect(isWorkingDay(localTime('2026-10-05', '10:00'))).toBe(false);
    expect(isWorkingDay(localTime('2026-10-10', '10:00'))).toBe(true);
    expect(isWorkingDay(localTime('2026-10-12', '10:00'))).toBe(true);
    expect(isWorkingDay(localTime('2026-02-17', '10:00'))).toBe(false);
  });
});
