import { describe, expect, it } from 'vitest';
import { polygonsFromWkb } from './wkb.ts';

/** Writes WKB by hand, the way PostGIS lays it out, to check the reader byte by byte. */
function wkb(little: boolean, type: number, body: (w: Writer) => void, srid?: number): Uint8Array {
  const w = new Writer(little);
  w.header(type, srid);
  body(w);
  return w.bytes();
}

class Writer {
  private buf = new DataView(new ArrayBuffer(1024));
  private pos = 0;
  constructor(private readonly little: boolean) {}
  header(type: number, srid?: number) {
    this.buf.setUint8(this.pos, this.little ? 1 : 0);
    this.buf.setUint32(this.pos + 1, srid === undefined ? type : type | 0x20000000, this.little);
    this.pos += 5;
    if (srid !== undefined) this.u32(srid);
  }
  u32(n: number) {
    this.buf.setUint32(this.pos, n, this.little);
    this.pos += 4;
  }
  f64(n: number) {
    this.buf.setFloat64(this.pos, n, this.little);
    this.pos += 8;
  }
  rings(rings: number[][][], dims = 2) {
    this.u32(rings.length);
    for (const ring of rings) {
      this.u32(ring.length);
      for (const p of ring) for (let d = 0; d < dims; d++) this.f64(p[d] ?? 0);
    }
  }
  bytes() {
    return new Uint8Array(this.buf.buffer.slice(0, this.pos));
  }
}

const square = [
  [121.1, 31.1],
  [121.2, 31.1],
  [121.2, 31.2],
  [121.1, 31.1],
];

describe('polygonsFromWkb', () => {
  it('reads a little-endian Polygon with a hole, keeping every bit of the coordinates', () => {
    const x = 121.47000000000001; // not representable in 15 significant digits
    const hole = [
      [121.12, 31.12],
      [x, 31.15],
      [121.13, 31.13],
      [121.12, 31.12],
    ];
    const out = polygonsFromWkb(wkb(true, 3, (w) => w.rings([square, hole])));
    expect(out).toHaveLength(1);
    expect(out[0]).toHaveLength(2);
    expect([...out[0]![0]!]).toEqual(square.flat());
    expect(out[0]![1]![2]).toBe(x);
  });

  it('reads a big-endian MultiPolygon of two parts', () => {
    const other = square.map(([a, b]) => [a! + 1, b!]);
    const bytes = wkb(false, 6, (w) => {
      w.u32(2);
      w.header(3);
      w.rings([square]);
      w.header(3);
      w.rings([other]);
    });
    const out = polygonsFromWkb(bytes);
    expect(out).toHaveLength(2);
    expect([...out[1]![0]!]).toEqual(other.flat());
  });

  it('reads EWKB with an SRID and skips Z values (ISO 1003 and EWKB flag alike)', () => {
    const z = square.map(([a, b]) => [a!, b!, 7]);
    const iso = polygonsFromWkb(wkb(true, 1003, (w) => w.rings([z], 3)));
    expect([...iso[0]![0]!]).toEqual(square.flat());
    const ewkb = polygonsFromWkb(wkb(true, 3 | 0x80000000, (w) => w.rings([z], 3), 4326));
    expect([...ewkb[0]![0]!]).toEqual(square.flat());
  });

  it('reads an empty MultiPolygon and refuses other geometry types', () => {
    expect(polygonsFromWkb(wkb(true, 6, (w) => w.u32(0)))).toEqual([]);
    const point = wkb(true, 1, (w) => {
      w.f64(1);
      w.f64(2);
    });
    expect(() => polygonsFromWkb(point)).toThrow(/type 1/);
  });
});
