import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';

/** The tile x/y holding a WGS-84 point at zoom z (slippy-map numbering). */
export function tileOf(lngDeg: number, latDeg: number, z: number): { x: number; y: number } {
  const n = 2 ** z;
  const r = (latDeg * Math.PI) / 180;
  return {
    x: Math.floor(((lngDeg + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n),
  };
}

/** Where a WGS-84 point falls in tile z/x/y, in tile units (0 … 4096). */
export function pixelOf(lngDeg: number, latDeg: number, z: number, x: number, y: number): [number, number] {
  const n = 2 ** z;
  const r = (latDeg * Math.PI) / 180;
  const fx = ((lngDeg + 180) / 360) * n - x;
  const fy = ((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n - y;
  return [fx * 4096, fy * 4096];
}

export interface DecodedFeature {
  properties: Record<string, string | number | boolean>;
  type: number;
  /** minX, minY, maxX, maxY over all rings, in tile units. */
  bbox: [number, number, number, number];
  rings: number;
}

/** Decodes one layer of an MVT: what MapLibre would read. */
export function decodeLayer(body: Uint8Array, name: string): { extent: number; features: DecodedFeature[] } {
  const tile = new VectorTile(new PbfReader(body));
  const layer = tile.layers[name];
  if (!layer) throw new Error(`no layer ${name} in tile; layers: ${Object.keys(tile.layers).join(', ')}`);
  const features: DecodedFeature[] = [];
  for (let i = 0; i < layer.length; i++) {
    const f = layer.feature(i);
    const rings = f.loadGeometry();
    const xs = rings.flat().map((p) => p.x);
    const ys = rings.flat().map((p) => p.y);
    features.push({
      properties: f.properties,
      type: f.type,
      bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
      rings: rings.length,
    });
  }
  return { extent: layer.extent, features };
}
