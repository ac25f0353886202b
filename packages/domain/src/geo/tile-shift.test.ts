import { describe, expect, it } from 'vitest';
import { fromWgs84 } from './crs.ts';
import { gcj02Pieces, mercatorPixel, pixelLngLat } from './tile-shift.ts';

describe('GCJ-02 tiles under WGS-84 layers', () => {
  it('puts a place of a GCJ-02 tile where its WGS-84 position is, within a pixel', () => {
    // 外滩 and 人民广场 (WGS-84), at the zooms a person reads streets at.
    for (const [lng, lat] of [
      [121.4857, 31.2397],
      [121.4692, 31.2286],
    ] as const) {
      for (const z of [12, 15, 18]) {
        const [px, py] = mercatorPixel(lng, lat, z);
        const x = Math.floor(px / 256);
        const y = Math.floor(py / 256);
        const pieces = gcj02Pieces(z, x, y);
        expect(pieces.length).toBeGreaterThanOrEqual(1);
        expect(pieces.length).toBeLessThanOrEqual(4);
        // Where a GCJ-02 map draws this place, and so where our shifted tile shows it.
        const g = fromWgs84(lng, lat, 'gcj02');
        const [gx, gy] = mercatorPixel(g.lng, g.lat, z);
        const piece = pieces.find((p) => p.x === Math.floor(gx / 256) && p.y === Math.floor(gy / 256));
        expect(piece).toBeDefined();
        const shownX = piece!.dx + (gx - piece!.x * 256);
        const shownY = piece!.dy + (gy - piece!.y * 256);
        expect(Math.abs(shownX - (px - x * 256))).toBeLessThan(1);
        expect(Math.abs(shownY - (py - y * 256))).toBeLessThan(1);
      }
    }
  });

  it('shifts tiles in Shanghai and leaves them alone outside China', () => {
    const [px, py] = mercatorPixel(121.47, 31.23, 16);
    const p = gcj02Pieces(16, Math.floor(px / 256), Math.floor(py / 256));
    // At z16 a pixel is ~2 m: the GCJ-02 window starts hundreds of pixels away from the WGS-84 tile.
    const moved = Math.hypot(p[0]!.dx, p[0]!.dy);
    expect(moved).toBeGreaterThan(0);
    const [lng, lat] = pixelLngLat(px, py, 16);
    expect(lng).toBeCloseTo(121.47, 6);
    expect(lat).toBeCloseTo(31.23, 6);
    // London: gcoord applies no offset outside China, the tile is itself.
    const [lx, ly] = mercatorPixel(-0.1, 51.5, 14);
    expect(gcj02Pieces(14, Math.floor(lx / 256), Math.floor(ly / 256))).toEqual([
      { x: Math.floor(lx / 256), y: Math.floor(ly / 256), dx: 0, dy: 0 },
    ]);
  });
});
