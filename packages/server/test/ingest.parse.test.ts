import { describe, expect, it } from 'vitest';
import { createBatcher } from '../src/iot/batcher.ts';
import { createRateLimiter, payloadSample } from '../src/iot/ingest.stats.ts';
import { type MetricDef, parseJsonPayload, readMessage } from '../src/iot/telemetry.parse.ts';

const metrics = new Map<string, MetricDef>([
  ['depth', { key: 'depth', unit: 'cm', type: 'number', min: 0, max: 500 }],
  ['note', { key: 'note', unit: '', type: 'string' }],
]);
const now = Date.UTC(2026, 11, 7, 12);
const read = (payload: string | Buffer) => readMessage(() => parseJsonPayload(payload), metrics, now);

describe('a telemetry parser that cannot throw', () => {
  it('turns every out-of-range field into a counted rejection with its reason', () => {
    const cases: Array<[string, string]> = [
      ['{"ts":100000000000000000000,"values":{"depth":1}}', 'bad_timestamp'],
      ['{"ts":-100000000000000000000,"values":{"depth":1}}', 'bad_timestamp'],
      ['{"ts":8640000000000001,"values":{"depth":1}}', 'ts_in_future'],
      ['{"ts":-8640000000000001,"values":{"depth":1}}', 'ts_too_old'],
      [`{"ts":"${'9'.repeat(5000)}","values":{"depth":1}}`, 'bad_timestamp'],
      ['{"ts":"275760-09-13T00:00:00Z","values":{"depth":1}}', 'bad_timestamp'],
      ['{"ts":1.5,"values":{"depth":1}}', 'bad_timestamp'],
      ['{"values":{"note":"a\\u0000b"}}', 'wrong_type'],
      [
        `{"values":${JSON.stringify(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`m${i}`, i])))}}`,
        'bad_shape',
      ],
      [`${'['.repeat(20_000)}${']'.repeat(20_000)}`, 'bad_shape'],
      [`${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, 'unknown_metric'],
      ['{"values":{"depth":1e400}}', 'not_finite'],
      ['{"__proto__":{"depth":1}}', 'unknown_metric'],
      ['null', 'bad_shape'],
      ['"x"', 'bad_shape'],
      ['', 'malformed_json'],
    ];
    for (const [payload, code] of cases) {
      const r = read(payload);
      expect([payload.slice(0, 60), r.readings.length, r.issues[0]?.code]).toEqual([
        payload.slice(0, 60),
        0,
        code,
      ]);
    }
    expect(read(Buffer.alloc(70_000, 'x')).issues[0]?.code).toBe('payload_too_large');
    expect(read(Buffer.from([0xff, 0xfe, 0x00, 0x7b])).issues[0]?.code).toBe('malformed_json');
  });

  it('never throws, whatever the bytes', () => {
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      '"ts":',
      '"values":',
      '"depth":',
      '1e308',
      '-0',
      'null',
      ',',
      '"\\ud800"',
      '1e21',
    ];
    for (let i = 0; i < 2000; i++) {
      const text = Array.from(
        { length: 1 + Math.floor(rnd() * 12) },
        () => pieces[Math.floor(rnd() * pieces.length)],
      ).join('');
      expect(() => read(text)).not.toThrow();
    }
  });

  it('keeps a bounded, storable sample of a rejected payload', () => {
    expect(payloadSample(Buffer.from('a\u0000b'))).toBe('a\\u0000b');
    expect(payloadSample('x'.repeat(10_000))).toHaveLength(512);
    expect(payloadSample({ ts: 1 })).toBe('{"ts":1}');
  });
});

describe('rate and batches', () => {
  it('reserves a future share of the rate (back-pressure) or refuses with the wait', () => {
    const limiter = createRateLimiter(10, 2);
    expect(limiter.reserve('d', 0, 0)).toEqual({ ok: true, waitMs: 0 });
    expect(limiter.reserve('d', 0, 0)).toEqual({ ok: true, waitMs: 0 });
    expect(limiter.reserve('d', 0, 0)).toEqual({ ok: false, waitMs: 100 });
    expect(limiter.reserve('d', 0, 1000)).toEqual({ ok: true, waitMs: 100 });
    expect(limiter.reserve('d', 0, 1000)).toEqual({ ok: true, waitMs: 200 });
  });

  it('fails only the caller whose rows the database refuses, not the others in its batch', async () => {
    const written: number[] = [];
    const batcher = createBatcher<number>({
      async write(items) {
        if (items.includes(13)) throw Object.assign(new Error('invalid byte sequence'), { code: '22021' });
        written.push(...items);
      },
      isTransient: (e) => (e as { code?: string }).code !== '22021',
      maxDelayMs: 20,
    });
    const results = await Promise.allSettled([batcher.add([1, 2]), batcher.add([13]), batcher.add([3])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(written.sort((a, b) => a - b)).toEqual([1, 2, 3]);
    await batcher.close();
  });
});
