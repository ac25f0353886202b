import gcoord from 'gcoord';

/**
 * Coordinate systems people send us: WGS-84 (GPS, ≈ CGCS2000, what we store), GCJ-02 (the
 * offset "Mars" coordinates of AMap, Tencent and most Chinese phone apps) and BD-09 (Baidu).
 */
export const crsList = ['wgs84', 'gcj02', 'bd09'] as const;
export type Crs = (typeof crsList)[number];

export function isCrs(value: unknown): value is Crs {
  return typeof value === 'string' && (crsList as readonly string[]).includes(value);
}

const gcoordCrs = { wgs84: gcoord.WGS84, gcj02: gcoord.GCJ02, bd09: gcoord.BD09 } as const;

/**
 * The WGS-84 position of a point given in `crs`. Outside China the offsets do not apply.
 * gcoord's inverse stops at 1e-6° (≈ 10 cm); a few fixed-point steps on the forward transform
 * bring that to below 1e-9°, so a point on a grid edge in GCJ-02 lands on that edge in WGS-84.
 */
export function toWgs84(lng: number, lat: number, crs: Crs): { lng: number; lat: number } {
  if (crs === 'wgs84') return { lng, lat };
  const start = gcoord.transform([lng, lat], gcoordCrs[crs], gcoord.WGS84);
  let x = start[0]!;
  let y = start[1]!;
  for (let i = 0; i < 8; i++) {
    const f = gcoord.transform([x, y], gcoord.WGS84, gcoordCrs[crs]);
    const dx = f[0]! - lng;
    const dy = f[1]! - lat;
    x -= dx;
    y -= dy;
    if (Math.abs(dx) < 1e-12 && Math.abs(dy) < 1e-12) break;
  }
  return { lng: x, lat: y };
}

/** The position of a WGS-84 point in `crs` (for tests and exports). */
export function fromWgs84(lng: number, lat: number, crs: Crs): { lng: number; lat: number } {
  if (crs === 'wgs84') return { lng, lat };
  const out = gcoord.transform([lng, lat], gcoord.WGS84, gcoordCrs[crs]);
  return { lng: out[0]!, lat: out[1]! };
}

/**
 * True when lng/lat look swapped for a point in China: a "longitude" in China's latitude band
 * and a "latitude" in its longitude band. The commonest mistake with coordinate pairs.
 */
export function looksSwapped(lng: number, lat: number): boolean {
  return lng >= 18 && lng <= 54 && lat >= 73 && lat <= 135;
}
