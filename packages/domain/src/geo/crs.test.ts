import { describe, expect, it } from 'vitest';
import { fromWgs84, isCrs, looksSwapped, toWgs84 } from './crs.ts';

describe('coordinate systems', () => {
  const peoplesSquare = { lng: 121.4737, lat: 31.2304 };

  it('leaves WGS-84 alone and undoes the GCJ-02 and BD-09 offsets to well under a millimetre', () => {
    expect(toWgs84(peoplesSquare.lng, peoplesSquare.lat, 'wgs84')).toEqual(peoplesSquare);
    for (const crs of ['gcj02', 'bd09'] as const) {
      const shifted = fromWgs84(peoplesSquare.lng, peoplesSquare.lat, crs);
      // The offsets are hundreds of metres in Shanghai: the conversion really did something.
      expect(
        Math.abs(shifted.lng - peoplesSquare.lng) + Math.abs(shifted.lat - peoplesSquare.lat),
      ).toBeGreaterThan(0.002);
      const back = toWgs84(shifted.lng, shifted.lat, crs);
      expect(Math.abs(back.lng - peoplesSquare.lng)).toBeLessThan(1e-9);
      expect(Math.abs(back.lat - peoplesSquare.lat)).toBeLessThan(1e-9);
    }
  });

  it('applies no China offset outside China', () => {
    expect(toWgs84(2.35, 48.85, 'gcj02')).toEqual({ lng: 2.35, lat: 48.85 });
  });

  it('spots lat/lng given the wrong way round for a point in China', () => {
    expect(looksSwapped(31.23, 121.47)).toBe(true);
    expect(looksSwapped(121.47, 31.23)).toBe(false);
    expect(looksSwapped(2.35, 48.85)).toBe(false);
  });

  it('knows its coordinate systems', () => {
    expect(isCrs('bd09')).toBe(true);
    expect(isCrs('epsg3857')).toBe(false);
  });
});
