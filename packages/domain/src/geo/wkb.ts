import type { FlatMultiPolygon, FlatPolygon } from './geometry.ts';

/**
 * Reads a Polygon or MultiPolygon from (E)WKB — what `ST_AsBinary(geom)` returns. The index
 * loads geometry this way rather than as GeoJSON text because text rounds coordinates, and a
 * rounded shared edge would no longer be the edge PostGIS tests against.
 */
export function polygonsFromWkb(bytes: Uint8Array): FlatMultiPolygon {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;

  const header = (): { little: boolean; type: number; dims: number } => {
    const little = view.getUint8(pos) === 1;
    const raw = view.getUint32(pos + 1, little);
    pos += 5;
    // EWKB flags (Z 0x80000000, M 0x40000000, SRID 0x20000000) and ISO offsets (1000 Z, 2000 M, 3000 ZM).
    const hasZ = (raw & 0x80000000) !== 0;
    const hasM = (raw & 0x40000000) !== 0;
    if (raw & 0x20000000) pos += 4;
    const base = raw & 0x0fffffff;
    const iso = Math.floor(base / 1000);
    const type = base % 1000;
    const dims = 2 + (hasZ || iso === 1 || iso === 3 ? 1 : 0) + (hasM || iso === 2 || iso === 3 ? 1 : 0);
    return { little, type, dims };
  };

  const polygon = (little: boolean, dims: number): FlatPolygon => {
    const nRings = view.getUint32(pos, little);
    pos += 4;
    const rings: FlatPolygon = [];
    for (let r = 0; r < nRings; r++) {
      const n = view.getUint32(pos, little);
      pos += 4;
      const ring = new Float64Array(n * 2);
      for (let i = 0; i < n; i++) {
        ring[i * 2] = view.getFloat64(pos, little);
        ring[i * 2 + 1] = view.getFloat64(pos + 8, little);
        pos += 8 * dims;
      }
      rings.push(ring);
    }
    return rings;
  };

  const top = header();
  if (top.type === 3) return [polygon(top.little, top.dims)];
  if (top.type === 6) {
    const n = view.getUint32(pos, top.little);
    pos += 4;
    const out: FlatMultiPolygon = [];
    for (let i = 0; i < n; i++) {
      const part = header();
      if (part.type !== 3) throw new Error(`WKB MultiPolygon holds a geometry of type ${part.type}`);
      out.push(polygon(part.little, part.dims));
    }
    return out;
  }
  throw new Error(`WKB geometry type ${top.type} is not a Polygon or MultiPolygon`);
}
