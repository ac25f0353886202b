import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { list, one, parseW3c, personName, w3cDateTime } from './open311.fields.ts';
import { xmlDocument } from './open311.xml.ts';

const shanghai = 480;

describe('W3C datetimes', () => {
  it('writes the offset out', () => {
    expect(w3cDateTime(new Date('2026-11-23T02:00:00.789Z'), shanghai)).toBe('2026-11-23T10:00:00+08:00');
    expect(w3cDateTime(new Date('2026-11-23T20:30:00Z'), shanghai)).toBe('2026-11-24T04:30:00+08:00');
    expect(w3cDateTime(new Date('2010-04-14T14:37:38Z'), -480)).toBe('2010-04-14T06:37:38-08:00');
    expect(w3cDateTime(new Date('2026-01-01T00:00:00Z'), 0)).toBe('2026-01-01T00:00:00+00:00');
  });

  it('reads dates with, without and with a mangled offset', () => {
    const at = new Date('2026-11-23T02:00:00Z');
    expect(parseW3c('2026-11-23T10:00:00+08:00', shanghai)).toEqual(at);
    expect(parseW3c('2026-11-23T10:00:00 08:00', shanghai)).toEqual(at); // "+" read as a space
    expect(parseW3c('2026-11-23T02:00:00Z', shanghai)).toEqual(at);
    expect(parseW3c('2026-11-22T18:00:00-08:00', shanghai)).toEqual(at);
    expect(parseW3c('2026-11-23T10:00:00', shanghai)).toEqual(at); // local time
    expect(parseW3c('2026-11-23T10:00', shanghai)).toEqual(at);
    expect(parseW3c('2026-11-23', shanghai)).toEqual(new Date('2026-11-22T16:00:00Z'));
    expect(parseW3c('2026-11-23T10:00:00.250+0800', shanghai)).toEqual(new Date('2026-11-23T02:00:00.250Z'));
  });

  it('refuses what is not a date', () => {
    for (const bad of [
      'yesterday',
      '2026-02-30',
      '2026-13-01',
      '2026-11-23T25:00:00Z',
      '2026-11-23T10:61:00Z',
      '23/11/2026',
      '',
    ]) {
      expect(parseW3c(bad, shanghai), bad).toBeNull();
    }
  });
});

describe('form fields', () => {
  it('takes a value once, trimmed, and refuses a repeated or overlong one', () => {
    expect(one({ a: '  x ' }, 'a')).toBe('x');
    expect(one({ a: '   ' }, 'a')).toBeUndefined();
    expect(() => one({ a: ['1', '2'] }, 'a')).toThrow(/more than once/);
    expect(() => one({ a: 'xxxx' }, 'a', 3)).toThrow(/longer than 3/);
  });

  it('reads comma-delimited and repeated lists alike', () => {
    expect(list(['06010,06012', ' 01001 ', ''])).toEqual(['06010', '06012', '01001']);
    expect(list(undefined)).toBeUndefined();
  });

  it('writes Chinese names family name first', () => {
    expect(personName('明', '李')).toBe('李明');
    expect(personName('Ada', 'Lovelace')).toBe('Ada Lovelace');
    expect(personName(undefined, '李')).toBe('李');
  });
});

describe('XML', () => {
  it('escapes text, drops characters XML cannot carry, and repeats list items', () => {
    const doc = xmlDocument('service_requests', [
      {
        service_request_id: 'E1',
        description: '<a href="x">&\'\u0000\u0007 ok 😀',
        lat: 31.2,
        account_id: null,
      },
      { service_request_id: 'E2', description: '', lat: 0, account_id: 'x' },
    ]);
    expect(XMLValidator.validate(doc)).toBe(true);
    const parsed = new XMLParser({ parseTagValue: false }).parse(doc);
    expect(parsed.service_requests.request).toEqual([
      { service_request_id: 'E1', description: '<a href="x">&\' ok 😀', lat: '31.2', account_id: '' },
      { service_request_id: 'E2', description: '', lat: '0', account_id: 'x' },
    ]);
  });

  it('writes an empty list as an empty element', () => {
    expect(xmlDocument('services', [])).toContain('<services/>');
  });
});
