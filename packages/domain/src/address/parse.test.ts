import { describe, expect, it } from 'vitest';
import { chineseNumeral as writeChineseNumeral } from '../demo/names.ts';
import { normalizeAddressText, readChineseNumeral } from './normalize.ts';
import { addressKey, formatAddress, parseAddress, roadPosition, roadStem } from './parse.ts';

describe('readChineseNumeral', () => {
  it.each([
    ['一百二十三', 123],
    ['十五', 15],
    ['十', 10],
    ['二十', 20],
    ['一千零八', 1008],
    ['两百', 200],
    ['三〇一', 301],
    ['九', 9],
  ])('%s → %d', (text, n) => expect(readChineseNumeral(text)).toBe(n));

  it.each(['', '十百', '二三十', '路'])('"%s" is no number', (text) =>
    expect(readChineseNumeral(text)).toBeUndefined(),
  );
});

describe('normalizeAddressText', () => {
  it('folds full-width forms and drops spaces and bracketed notes', () => {
    expect(normalizeAddressText('上海市 黄浦区　南京东路１００号（住宅）')).toBe('上海市黄浦区南京东路100号');
  });
  it('turns numerals that count doors, lanes, buildings and rooms into digits', () => {
    expect(normalizeAddressText('南京东路一百二十三号')).toBe('南京东路123号');
    expect(normalizeAddressText('张东路二千二百八十一弄五号楼三〇一室')).toBe('张东路2281弄5号楼301室');
  });
  it('leaves numerals inside names alone', () => {
    expect(normalizeAddressText('四平路')).toBe('四平路');
    expect(normalizeAddressText('长桥四村')).toBe('长桥四村');
    expect(normalizeAddressText('瑞金二路十号')).toBe('瑞金二路10号');
  });
});

describe('parseAddress', () => {
  it('reads every level of a full address', () => {
    expect(parseAddress('上海市浦东新区张江镇张东路2281弄5号楼3单元201室')).toEqual({
      city: '上海市',
      district: '浦东新区',
      street: '张江镇',
      road: '张东路',
      lane: '2281',
      building: '5',
      unit: '3',
      room: '201',
    });
  });

  it('tolerates missing levels', () => {
    expect(parseAddress('浦电路221号')).toEqual({ road: '浦电路', number: '221' });
    expect(parseAddress('黄浦区九江路595号')).toEqual({ district: '黄浦区', road: '九江路', number: '595' });
    expect(parseAddress('老西门街道梦花街36号')).toEqual({
      street: '老西门街道',
      road: '梦花街',
      number: '36',
    });
  });

  it('reads a door number without 号, and a door inside a lane', () => {
    expect(parseAddress('浦电路221')).toEqual({ road: '浦电路', number: '221' });
    expect(parseAddress('虹梅路999弄12号1202室')).toEqual({
      road: '虹梅路',
      lane: '999',
      number: '12',
      room: '1202',
    });
    expect(parseAddress('虹梅路999弄12-1202')).toEqual({
      road: '虹梅路',
      lane: '999',
      number: '12',
      room: '1202',
    });
  });

  it('reads full-width digits and Chinese numerals', () => {
    expect(parseAddress('上海市黄浦区南京东路一百号')).toMatchObject({ road: '南京东路', number: '100' });
    expect(parseAddress('南京东路１００号')).toMatchObject({ road: '南京东路', number: '100' });
  });

  it('knows the kinds of roads: 大道, 公路, 大街, 街', () => {
    expect(parseAddress('人民大道200号').road).toBe('人民大道');
    expect(parseAddress('沪南公路2000号').road).toBe('沪南公路');
    expect(parseAddress('九亭大街1158号').road).toBe('九亭大街');
    expect(parseAddress('庄家街72').road).toBe('庄家街');
  });

  it('writes 号楼, 栋 and 座 as 幢, and 房 as 室', () => {
    const a = parseAddress('康沈路400弄8栋502房');
    expect(a).toEqual({ road: '康沈路', lane: '400', building: '8', room: '502' });
    expect(formatAddress(a)).toBe('康沈路400弄8幢502室');
  });

  it('keeps names it cannot split as the place', () => {
    expect(parseAddress('上海市徐汇区长桥四村')).toEqual({
      city: '上海市',
      district: '徐汇区',
      place: '长桥四村',
    });
    expect(parseAddress('长桥四村12号')).toEqual({ place: '长桥四村', number: '12' });
    expect(parseAddress('浦东新区临江村西新队罗汉松')).toEqual({
      district: '浦东新区',
      place: '临江村西新队罗汉松',
    });
    expect(parseAddress('镇坪路赵家宅')).toEqual({ road: '镇坪路', place: '赵家宅' });
  });

  it('does not take a compound (小区) for a district, nor a road named after a town for a town', () => {
    expect(parseAddress('明珠小区3号').district).toBeUndefined();
    expect(parseAddress('万寿新村四区')).toEqual({ place: '万寿新村四区' });
    expect(parseAddress('嘉定区安亭镇安亭镇星光村')).toEqual({
      district: '嘉定区',
      street: '安亭镇',
      place: '星光村',
    });
    expect(parseAddress('镇宁路405弄')).toEqual({ road: '镇宁路', lane: '405' });
    expect(parseAddress('江湾镇街道汶水东路541弄')).toMatchObject({ street: '江湾镇街道', road: '汶水东路' });
  });

  it('reads branch lanes', () => {
    expect(parseAddress('春申路3799弄65支弄')).toEqual({ road: '春申路', lane: '3799', branch: '65' });
  });

  it('takes short district names only from the list it is given', () => {
    const districts = ['浦东新区', '黄浦区'];
    expect(parseAddress('浦东张东路2281弄', { districts })).toMatchObject({
      district: '浦东新区',
      road: '张东路',
    });
    // 黄浦路 is a road, not 黄浦区.
    expect(parseAddress('黄浦路99号', { districts })).toEqual({ road: '黄浦路', number: '99' });
    expect(parseAddress('浦东南路855号', { districts })).toEqual({ road: '浦东南路', number: '855' });
  });
});

describe('standard forms', () => {
  it('key, text, road position and stem', () => {
    const p = parseAddress('上海市黄浦区南京东路100号');
    expect(addressKey(p)).toBe('南京东路100号');
    expect(formatAddress(p)).toBe('上海市黄浦区南京东路100号');
    expect(roadPosition(p)).toBe(100);
    expect(roadPosition(parseAddress('张东路2281弄5号'))).toBe(2281);
    expect(roadPosition(parseAddress('长桥四村12号'))).toBeUndefined();
    expect(roadStem('九亭大街')).toBe('九亭');
    expect(roadStem('南京东路')).toBe('南京东');
  });
});

describe('old-town lanes and villages', () => {
  it('reads a named 弄 as a road and a road-like village name as a place', () => {
    expect(parseAddress('高家弄66弄')).toEqual({ road: '高家弄', lane: '66' });
    expect(parseAddress('海南西弄60号')).toEqual({ road: '海南西弄', number: '60' });
    expect(parseAddress('华路村')).toEqual({ place: '华路村' });
  });
});

describe('round trip with the demo names', () => {
  it('reads back every number the demo writes in Chinese', () => {
    for (let n = 1; n <= 9999; n++) expect(readChineseNumeral(writeChineseNumeral(n))).toBe(n);
  });
});
