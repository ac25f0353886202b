/**
 * The map's style: our own vector tiles only, no online base map, no glyph server. Text is drawn by
 * MapLibre from the browser's local fonts (a style without `glyphs` rasterises every glyph locally).
 */
import type {
  ExpressionSpecification,
  LayerSpecification,
  SourceSpecification,
  StyleSpecification,
} from 'maplibre-gl';

/** Tile layers served at /api/v1/tiles/{layer}/{z}/{x}/{y}.mvt; the MVT layer inside has the same name. */
export const tileLayers = [
  'districts',
  'streets',
  'communities',
  'unit-grids',
  'duty-grids',
  'components',
  'roads',
  'water',
] as const;
export type TileLayer = (typeof tileLayers)[number];

/** The zoom from which each layer is drawn (and so requested). */
export const minZoom: Record<TileLayer, number> = {
  districts: 0,
  streets: 11,
  communities: 13,
  'unit-grids': 14,
  'duty-grids': 13,
  components: 13,
  roads: 8,
  water: 0,
};

/** From this zoom each component is drawn; below it, clusters with their counts (server-side). */
export const componentsFrom = 17;

export const shanghai = { center: [121.47, 31.23] as [number, number], zoom: 9 };

export const colors = {
  background: '#dde5ee',
  ink: '#17324d',
  districtLine: '#2f5483',
  street: '#5f7a9c',
  community: '#93a4ba',
  unitGrid: '#b7894a',
  dutyGrid: '#e2761b',
  selected: '#1463c8',
  componentStatus: {
    intact: '#2e9d5b',
    damaged: '#e39a12',
    missing: '#d64545',
    abandoned: '#8a94a3',
    removed: '#8a94a3',
  },
} as const;

/** Local CJK-capable fonts, best first; MapLibre's TinySDF draws labels with them. */
export const labelFonts = [
  'PingFang SC',
  'Microsoft YaHei',
  'Noto Sans CJK SC',
  'Source Han Sans SC',
  'Noto Sans SC Variable',
  'sans-serif',
];

/** Pastel fills told apart by district code, so neighbouring districts read as separate areas. */
const districtTint: ExpressionSpecification = [
  'match',
  ['%', ['to-number', ['get', 'code'], 0], 7],
  0,
  '#eef3fa',
  1,
  '#f1f6ec',
  2,
  '#f8f2e7',
  3,
  '#f3eef8',
  4,
  '#eaf5f4',
  5,
  '#f9eeee',
  '#f4f4ef',
];

export function source(origin: string, layer: TileLayer): SourceSpecification {
  return {
    type: 'vector',
    tiles: [`${origin}/api/v1/tiles/${layer}/{z}/{x}/{y}.mvt`],
    minzoom: minZoom[layer],
    // Components change from clusters to single points at componentsFrom: ask for those tiles too.
    maxzoom: layer === 'components' ? componentsFrom : 16,
    promoteId: 'code',
  };
}

/** Road widths by class and zoom: main roads read from the city view, lanes from street zoom. */
const roadWidth = (k: number): ExpressionSpecification => [
  'interpolate',
  ['exponential', 1.6],
  ['zoom'],
  10,
  ['match', ['get', 'class'], ['motorway', 'trunk', 'primary'], 1.2 * k, 0.5 * k],
  14,
  ['match', ['get', 'class'], ['motorway', 'trunk', 'primary'], 4 * k, 'secondary', 2.6 * k, 1.4 * k],
  18,
  ['match', ['get', 'class'], ['motorway', 'trunk', 'primary'], 22 * k, 'secondary', 16 * k, 9 * k],
];

export interface BaseColours {
  water: string;
  waterLabel: string;
  road: string;
  roadMain: string;
  casing: string;
  roadLabel: string;
  halo: string;
}

export const lightBase: BaseColours = {
  water: '#a9cdf0',
  waterLabel: '#2f6aa3',
  road: '#ffffff',
  roadMain: '#fbe3a6',
  casing: '#c9ced6',
  roadLabel: '#3d4b5c',
  halo: '#ffffff',
};

/**
 * Our own base map: water over the district fills, roads over the grids' fills and under their
 * lines, names along the roads. Hidden when ONEGRID_BASEMAP draws another base (basemap.ts).
 */
export function baseLayers(c: BaseColours = lightBase): {
  water: LayerSpecification[];
  roads: LayerSpecification[];
  labels: LayerSpecification[];
} {
  const src = (layer: TileLayer) => ({ source: layer, 'source-layer': layer });
  return {
    water: [{ id: 'water-fill', type: 'fill', ...src('water'), paint: { 'fill-color': c.water } }],
    roads: [
      {
        id: 'roads-casing',
        type: 'line',
        ...src('roads'),
        minzoom: 13,
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': c.casing, 'line-width': roadWidth(1.25), 'line-opacity': 0.9 },
      },
      {
        id: 'roads-line',
        type: 'line',
        ...src('roads'),
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: {
          'line-color': ['match', ['get', 'class'], ['motorway', 'trunk', 'primary'], c.roadMain, c.road],
          'line-width': roadWidth(1),
        },
      },
    ],
    labels: [
      {
        id: 'water-labels',
        type: 'symbol',
        ...src('water'),
        minzoom: 11,
        layout: {
          'text-field': ['get', 'name'],
          'text-font': labelFonts,
          'text-size': ['interpolate', ['linear'], ['zoom'], 11, 12, 16, 16],
          'text-letter-spacing': 0.3,
          'symbol-placement': 'point',
        },
        paint: { 'text-color': c.waterLabel, 'text-halo-color': c.halo, 'text-halo-width': 1.2 },
      },
      {
        id: 'road-labels',
        type: 'symbol',
        ...src('roads'),
        minzoom: 13,
        layout: {
          'text-field': ['get', 'name'],
          'text-font': labelFonts,
          'text-size': ['interpolate', ['linear'], ['zoom'], 13, 11, 17, 14],
          'symbol-placement': 'line',
          'text-max-angle': 40,
          'symbol-spacing': 300,
        },
        paint: { 'text-color': c.roadLabel, 'text-halo-color': c.halo, 'text-halo-width': 1.6 },
      },
    ],
  };
}

/** Components: counted clusters below componentsFrom, single points (by status) from it. */
export function componentLayers(): LayerSpecification[] {
  const src = { source: 'components', 'source-layer': 'components' };
  const cluster: ExpressionSpecification = ['==', ['get', 'level'], 'cluster'];
  return [
    {
      id: 'components-cluster',
      type: 'circle',
      ...src,
      minzoom: minZoom.components,
      maxzoom: componentsFrom,
      filter: cluster,
      paint: {
        'circle-color': '#5f7a9c',
        'circle-opacity': 0.18,
        'circle-stroke-color': '#5f7a9c',
        'circle-stroke-opacity': 0.45,
        'circle-stroke-width': 1,
        'circle-radius': ['interpolate', ['linear'], ['get', 'count'], 1, 4, 50, 8, 500, 13],
      },
    },
    {
      id: 'components-count',
      type: 'symbol',
      ...src,
      minzoom: 16,
      maxzoom: componentsFrom,
      filter: cluster,
      layout: { 'text-field': ['to-string', ['get', 'count']], 'text-font': labelFonts, 'text-size': 10 },
      paint: { 'text-color': '#3c5675', 'text-opacity': 0.8 },
    },
    {
      id: 'components-circle',
      type: 'circle',
      ...src,
      minzoom: componentsFrom,
      filter: ['!', cluster],
      paint: {
        'circle-color': [
          'match',
          ['get', 'status'],
          'intact',
          colors.componentStatus.intact,
          'damaged',
          colors.componentStatus.damaged,
          'missing',
          colors.componentStatus.missing,
          colors.componentStatus.abandoned,
        ],
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 17, 3.5, 19, 6],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1,
      },
    },
  ];
}

/** Style layer ids by toggle group, for the layer switcher. */
export const groupLayers: Record<TileLayer, string[]> = {
  districts: [
    'districts-fill',
    'districts-casing',
    'districts-line',
    'districts-selected',
    'district-labels',
  ],
  streets: ['streets-line', 'street-labels'],
  communities: ['communities-line'],
  'unit-grids': [
    'unit-grids-fill',
    'unit-grids-line',
    'unit-grids-selected-fill',
    'unit-grids-selected-line',
  ],
  'duty-grids': ['duty-grids-line'],
  components: ['components-cluster', 'components-count', 'components-circle'],
  roads: ['roads-casing', 'roads-line', 'road-labels'],
  water: ['water-fill', 'water-labels'],
};

export const labelSource = 'labels';

/** A filter that matches nothing until a feature is selected. */
export const noneSelected: ExpressionSpecification = ['==', ['get', 'code'], '__none__'];

export function buildStyle(origin: string): StyleSpecification {
  const src = (layer: TileLayer) => ({ source: layer, 'source-layer': layer });
  const base = baseLayers();
  const layers: LayerSpecification[] = [
    { id: 'background', type: 'background', paint: { 'background-color': colors.background } },
    {
      id: 'districts-fill',
      type: 'fill',
      ...src('districts'),
      paint: {
        'fill-color': districtTint,
        'fill-opacity': ['interpolate', ['linear'], ['zoom'], 9, 1, 14, 0.85],
      },
    },
    {
      id: 'unit-grids-fill',
      type: 'fill',
      ...src('unit-grids'),
      minzoom: minZoom['unit-grids'],
      paint: {
        'fill-color': ['match', ['get', 'area_class'], 'A', '#f7dcae', 'C', '#d8eed4', '#dce8f6'],
        'fill-opacity': 0.5,
      },
    },
    ...base.water,
    {
      id: 'unit-grids-selected-fill',
      type: 'fill',
      ...src('unit-grids'),
      minzoom: minZoom['unit-grids'],
      filter: noneSelected,
      paint: { 'fill-color': '#5b9cf0', 'fill-opacity': 0.45 },
    },
    ...base.roads,
    {
      id: 'unit-grids-line',
      type: 'line',
      ...src('unit-grids'),
      minzoom: minZoom['unit-grids'],
      paint: {
        'line-color': colors.unitGrid,
        'line-width': ['interpolate', ['linear'], ['zoom'], 14, 0.5, 17, 1.2],
        'line-opacity': 0.8,
      },
    },
    {
      id: 'communities-line',
      type: 'line',
      ...src('communities'),
      minzoom: minZoom.communities,
      paint: {
        'line-color': colors.community,
        'line-width': ['interpolate', ['linear'], ['zoom'], 13, 0.7, 17, 1.6],
      },
    },
    {
      id: 'duty-grids-line',
      type: 'line',
      ...src('duty-grids'),
      minzoom: minZoom['duty-grids'],
      paint: {
        'line-color': colors.dutyGrid,
        'line-width': ['interpolate', ['linear'], ['zoom'], 13, 1.2, 17, 2.4],
        'line-dasharray': [3, 2],
      },
    },
    {
      id: 'streets-line',
      type: 'line',
      ...src('streets'),
      minzoom: minZoom.streets,
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': colors.street,
        'line-width': ['interpolate', ['linear'], ['zoom'], 11, 0.8, 16, 2],
        'line-dasharray': [4, 2],
      },
    },
    {
      id: 'districts-casing',
      type: 'line',
      ...src('districts'),
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': '#ffffff',
        'line-width': ['interpolate', ['linear'], ['zoom'], 8, 2.5, 14, 5],
        'line-opacity': 0.9,
      },
    },
    {
      id: 'districts-line',
      type: 'line',
      ...src('districts'),
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': colors.districtLine,
        'line-width': ['interpolate', ['linear'], ['zoom'], 8, 1, 14, 2.4],
      },
    },
    {
      id: 'districts-selected',
      type: 'line',
      ...src('districts'),
      filter: noneSelected,
      layout: { 'line-join': 'round' },
      paint: {
        'line-color': colors.selected,
        'line-width': ['interpolate', ['linear'], ['zoom'], 8, 2.5, 14, 4],
      },
    },
    {
      id: 'unit-grids-selected-line',
      type: 'line',
      ...src('unit-grids'),
      minzoom: minZoom['unit-grids'],
      filter: noneSelected,
      paint: { 'line-color': colors.selected, 'line-width': 2.5 },
    },
    ...componentLayers(),
    ...base.labels,
    {
      id: 'street-labels',
      type: 'symbol',
      source: labelSource,
      filter: ['==', ['get', 'level'], 'street'],
      minzoom: 12,
      layout: {
        'text-field': ['get', 'name'],
        'text-font': labelFonts,
        'text-size': ['interpolate', ['linear'], ['zoom'], 12, 11, 16, 14],
        'text-padding': 4,
      },
      paint: { 'text-color': '#3c5675', 'text-halo-color': '#ffffff', 'text-halo-width': 1.4 },
    },
    {
      id: 'district-labels',
      type: 'symbol',
      source: labelSource,
      filter: ['==', ['get', 'level'], 'district'],
      maxzoom: 13,
      layout: {
        'text-field': ['get', 'name'],
        'text-font': labelFonts,
        'text-size': ['interpolate', ['linear'], ['zoom'], 8, 11, 10, 13, 12, 16],
        'text-letter-spacing': 0.08,
        'text-padding': 6,
      },
      paint: { 'text-color': colors.ink, 'text-halo-color': '#ffffff', 'text-halo-width': 1.8 },
    },
  ];
  return {
    version: 8,
    name: 'OneGrid',
    sources: {
      ...Object.fromEntries(tileLayers.map((l) => [l, source(origin, l)])),
      [labelSource]: { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
    },
    layers,
  };
}
