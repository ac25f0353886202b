import { describe, expect, it } from 'vitest';
import {
  checkCode,
  checkCodeInParent,
  cityNameOf,
  cityOf,
  codeText,
  communityKindOf,
  componentCategoryOf,
  isUnifiedCreditCode,
  legacyComponentToCurrent,
  legacyGridToCurrent,
  PropertyReader,
  parseComponentDataSource,
  parseComponentStatus,
  parseDateOnly,
} from './codes.ts';

describe('code shapes', () => {
  it('accepts each level at its length', () => {
    expect(checkCode('district', 310101)).toEqual({ ok: true, code: '310101' });
    expect(checkCode('street', '310101002')).toEqual({ ok: true, code: '310101002' });
    expect(checkCode('community', ' 310101002001 ')).toEqual({ ok: true, code: '310101002001' });
    expect(checkCode('unitGrid', '310101002001007')).toEqual({ ok: true, code: '310101002001007' });
    expect(checkCode('component', '31010101001000123')).toEqual({ ok: true, code: '31010101001000123' });
  });

  it('names the length it wanted', () => {
    const r = checkCode('street', '3101010021');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/has 10 digits; it needs 9/);
    const c = checkCode('component', '310101010010001');
    if (!c.ok) expect(c.reason).toMatch(/or 16 in CJ\/T 214/);
    expect(checkCode('district', '31010A').ok).toBe(false);
    expect(checkCode('district', null)).toEqual({ ok: false, reason: 'no district (GB/T 2260) code' });
  });

  it('maps legacy CJ/T 213 grid codes by widening the sequence to 3 digits', () => {
    expect(legacyGridToCurrent('31010100200107')).toBe('310101002001007');
    expect(checkCode('unitGrid', '31010100200107')).toEqual({
      ok: true,
      code: '310101002001007',
      legacyCode: '31010100200107',
    });
  });

  it('maps legacy CJ/T 214 component ids by widening the minor code to 3 digits', () => {
    expect(legacyComponentToCurrent('3205820102048188')).toBe('32058201002048188');
    const r = checkCode('component', '3205820102048188');
    expect(r).toEqual({ ok: true, code: '32058201002048188', legacyCode: '3205820102048188' });
    expect(componentCategoryOf('32058201002048188')).toBe('01002');
  });

  it('treats spreadsheet floats as codes', () => {
    expect(codeText('310101.0')).toBe('310101');
    expect(codeText('')).toBeUndefined();
  });

  it('checks that a code extends its parent', () => {
    expect(checkCodeInParent('310101002', '310101')).toBeUndefined();
    expect(checkCodeInParent('310104002', '310101')).toMatch(/does not start with/);
  });

  it('knows the city of a district', () => {
    expect(cityOf('310115')).toBe('3101');
    expect(cityNameOf('3101')).toBe('上海市');
    expect(communityKindOf('云南中路居委会')).toBe('居委会');
    expect(communityKindOf('向阳村村委会')).toBe('村委会');
  });
});

describe('component attribute values', () => {
  it('reads statuses in Chinese and English', () => {
    expect(parseComponentStatus('完好')).toBe('intact');
    expect(parseComponentStatus('破损')).toBe('damaged');
    expect(parseComponentStatus('丢失')).toBe('missing');
    expect(parseComponentStatus('废弃')).toBe('abandoned');
    expect(parseComponentStatus('移除')).toBe('removed');
    expect(parseComponentStatus('Damaged')).toBe('damaged');
    expect(parseComponentStatus('so-so')).toBeUndefined();
    expect(parseComponentDataSource('普查')).toBe('surveyed');
    expect(parseComponentDataSource('map')).toBe('map');
  });

  it('reads dates in the usual spellings and refuses impossible ones', () => {
    expect(parseDateOnly('2024-03-05')).toBe('2024-03-05');
    expect(parseDateOnly('2024/3/5')).toBe('2024-03-05');
    expect(parseDateOnly('20240305')).toBe('2024-03-05');
    expect(parseDateOnly('2024年3月5日')).toBe('2024-03-05');
    expect(parseDateOnly('2024-03-05T08:00:00Z')).toBe('2024-03-05');
    expect(parseDateOnly('2024-02-30')).toBeUndefined();
    expect(parseDateOnly('yesterday')).toBeUndefined();
  });

  it('checks the shape of unified social credit codes', () => {
    expect(isUnifiedCreditCode('11310101002411234X')).toBe(true);
    expect(isUnifiedCreditCode('11310101002411234Z')).toBe(false);
    expect(isUnifiedCreditCode('113101010024112340')).toBe(true);
    expect(isUnifiedCreditCode('12345')).toBe(false);
  });
});

describe('property aliases', () => {
  it('finds fields under their usual names, ignoring case and separators', () => {
    const r = new PropertyReader(['code', 'name', 'districtCode', 'parentCode'] as const);
    expect(r.read({ adcode: 310101, name: '黄浦区', parent_adcode: 310000 })).toEqual({
      code: 310101,
      name: '黄浦区',
      parentCode: 310000,
    });
    expect(r.read({ CODE: '310101002', 'District Code': '310101', 名称: '南京东路街道' })).toEqual({
      code: '310101002',
      districtCode: '310101',
      name: '南京东路街道',
    });
  });

  it('prefers earlier aliases and falls back past blanks', () => {
    const r = new PropertyReader(['code', 'address'] as const);
    expect(r.read({ id: 'x', code: '310101' })).toEqual({ code: '310101' });
    expect(r.read({ address: '人民大道200号', full_address: '上海市黄浦区人民大道200号' })).toEqual({
      address: '人民大道200号',
    });
    expect(r.read({ address: '  ', full_address: '上海市黄浦区人民大道200号' })).toEqual({
      address: '上海市黄浦区人民大道200号',
    });
    expect(r.read({ full_address: '上海市黄浦区人民大道200号' })).toEqual({
      address: '上海市黄浦区人民大道200号',
    });
  });
});
