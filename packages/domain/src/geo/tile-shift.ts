import { fromWgs84 } from './crs.ts';

/**
 * GCJ-02 raster tiles under WGS-84 layers (docs/basemap.md, docs/decisions.md): a WGS-84 tile
 * z/x/y shows the ground whose GCJ-02 coordinates are shifted by the offset there (300–600 m in
 * Shanghai). The offset hardly changes across one tile at the zooms where it is visible (well
 * under a pixel), so the WGS-84 tile is the 256-pixel window of the GCJ-02 tile pyramid starting
 * at the GCJ-02 position of its north-west corner: parts of up to four GCJ-02 tiles, drawn at
 * these pixel offsets.
 */
export interface TilePiece {
  x: number;
  y: number;
  /** Where the GCJ-02 tile's top-left corner goes on the WGS-84 tile, in pixels. */
  dx: number;
  dy: number;
}

const TILE = 256;

/** Web Mercator global pixel position of a point at zoom z (256-pixel tiles). */
export function mercatorPixel(lng: number, lat: number, z: number): [number, number] {
  const size = TILE * 2 ** z;
  const s = Math.sin((lat * Math.PI) / 180);
  return [((lng + 180) / 360) * size, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * size];
}

/** The WGS-84 longitude/latitude of a global pixel position at zoom z. */
export function pixelLngLat(px: number, py: number, z: number): [number, number] {
  const size = TILE * 2 ** z;
  const lng = (px / size) * 360 - 180;
  const n = Math.PI - (2 * Math.PI * py) / size;
  return [lng, (Math.atan(Math.sinh(n)) * 180) / Math.PI];
}

/** The GCJ-02 tiles (and where each goes) that make up WGS-84 tile z/x/y. */
export function gcj02Pieces(z: number, x: number, y: number): TilePiece[] {
  // The offset at the tile's centre stands for the whole tile.
  const [lng, lat] = pixelLngLat((x + 0.5) * TILE, (y + 0.5) * TILE, z);
  const g = fromWgs84(lng, lat, 'gcj02');
  const [wx, wy] = mercatorPixel(lng, lat, z);
  const [gx, gy] = mercatorPixel(g.lng, g.lat, z);
  // The window's top-left corner in the GCJ-02 pyramid.
  const left = x * TILE + (gx - wx);
  const top = y * TILE + (gy - wy);
  const n = 2 ** z;
  const pieces: TilePiece[] = [];
  for (let ty = Math.floor(top / TILE); ty <= Math.floor((top + TILE - 1e-9) / TILE); ty++) {
    for (let tx = Math.floor(left / TILE); tx <= Math.floor((left + TILE - 1e-9) / TILE); tx++) {
      if (ty < 0 || ty >= n) continue;
      pieces.push({
        x: ((tx % n) + n) % n,
        y: ty,
        dx: Math.round(tx * TILE - left),
        dy: Math.round(ty * TILE - top),
      });
    }
  }
  return pieces;
}
