/**
 * Just enough WKT for CSV geometry columns: POINT, POLYGON, MULTIPOLYGON, LINESTRING,
 * MULTILINESTRING (and their Z/M forms,
 * whose extra ordinates are dropped), with an optional EWKT "SRID=…;" prefix.
 */
export interface WktGeometry {
  type: 'Point' | 'Polygon' | 'MultiPolygon' | 'LineString' | 'MultiLineString';
  coordinates: unknown;
}

const types: Record<string, WktGeometry['type']> = {
  POINT: 'Point',
  POLYGON: 'Polygon',
  MULTIPOLYGON: 'MultiPolygon',
  LINESTRING: 'LineString',
  MULTILINESTRING: 'MultiLineString',
};

export function parseWkt(text: string): WktGeometry {
  const m = /^\s*(?:SRID=\d+;)?\s*([A-Za-z]+)\s*(?:ZM|Z|M)?\s*(\(.*\))\s*$/s.exec(text);
  const type = m?.[1] ? types[m[1].toUpperCase()] : undefined;
  if (!m?.[2] || !type) {
    throw new Error(`not a WKT POINT, LINESTRING, POLYGON or MULTIPOLYGON: "${text.slice(0, 40)}"`);
  }
  // "(x y, x y)" → "[[x,y],[x,y]]": tuples become arrays, parentheses become brackets.
  const json = m[2]
    .replace(
      /(-?[\d.]+(?:[eE][-+]?\d+)?)\s+(-?[\d.]+(?:[eE][-+]?\d+)?)(?:\s+-?[\d.]+(?:[eE][-+]?\d+)?){0,2}/g,
      '[$1,$2]',
    )
    .replace(/\(/g, '[')
    .replace(/\)/g, ']');
  let coordinates: unknown;
  try {
    coordinates = JSON.parse(json);
  } catch {
    throw new Error(`malformed WKT ${m[1]}: "${text.slice(0, 40)}"`);
  }
  // POINT(x y) parses as [[x, y]].
  if (type === 'Point' && Array.isArray(coordinates)) coordinates = coordinates[0];
  return { type, coordinates };
}
