import { describe, expect, it } from 'vitest';
import { fieldClasses, maskContact, maskIdNumber, maskName, maskPhone, scrubText } from './privacy.ts';

describe('personal data masks', () => {
  it('keeps the surname of a name', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('王小明')).toBe('王**');
    expect(maskName('欧阳娜娜')).toBe('欧阳**');
    expect(maskName('John Smith')).toBe('J***');
    expect(maskName(null)).toBeNull();
  });

  it('masks phones, IDs and contacts', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('021-63211234')).toBe('021****1234');
    expect(maskIdNumber('31010119900307123X')).toBe('310***********123X');
    expect(maskContact('13812345678')).toBe('138****5678');
    expect(maskContact('li@example.cn')).toBe('l***@example.cn');
  });

  it('scrubs phone and ID numbers out of free text, leaving other numbers', () => {
    expect(scrubText('井盖缺失，请联系13812345678或 138 1234 5678，身份证31010119900307123X，门牌88号')).toBe(
      '井盖缺失，请联系138****5678或 138****5678，身份证310***********123X，门牌88号',
    );
    expect(scrubText('call +86 139-0000-1111 or 021-63211234; case B2026112300012')).toBe(
      'call 139****1111 or 021****1234; case B2026112300012',
    );
  });

  it('classifies secrets as never leaving', () => {
    expect(fieldClasses['case.trackingKey']).toBe('secret');
    expect(fieldClasses['case.reporterName']).toBe('sensitive');
  });
});
