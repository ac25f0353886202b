/**
 * The command screen's dark map: our own vector tiles (districts, streets, unit grids), then open
 * cases (clustered) with a heatmap under them, inspectors and their tracks, the replay layer.
 */
import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';
import {
  type BaseColours,
  baseLayers,
  labelFonts,
  labelSource,
  minZoom,
  noneSelected,
  type TileLayer,
} from '../map/style.ts';

export const dark = {
  background: '#040b16',
  districtFill: '#0a1b30',
  districtLine: '#3fa9f5',
  street: '#1f6a9a',
  grid: '#1a4d73',
  selected: '#ffd666',
  urgent: '#ff4d4f',
  overdue: '#fa8c16',
  normal: '#36cfc9',
  inspector: '#73d13d',
  label: '#d6e4ff',
} as const;

export const severityColour: Record<string, string> = {
  critical: '#ff4d4f',
  major: '#fa8c16',
  minor: '#fadb14',
  warning: '#40a9ff',
};

const layers: TileLayer[] = ['districts', 'streets', 'unit-grids', 'roads', 'water'];

/** The base map in the command screen's night colours. */
const darkBase: BaseColours = {
  water: '#0b2f57',
  waterLabel: '#5fa8e8',
  road: '#183a5c',
  roadMain: '#24507a',
  casing: '#0a1b30',
  roadLabel: '#7f9cc0',
  halo: '#040b16',
};

/** Point colour: urgent red, overdue orange, otherwise teal. */
const caseColour: ExpressionSpecification = [
  'case',
  ['==', ['get', 'u'], 1],
  dark.urgent,
  ['==', ['get', 'o'], 1],
  dark.overdue,
  dark.normal,
];

export const caseSource = 'cases';
export const liveSource = 'live-cases';
export const inspectorSource = 'inspectors';
export const trackSource = 'tracks';
export const replaySource = 'replay';
/** Open cases counted by street: drawn like clusters until the full set is clustered. */
export const summarySource = 'case-summary';
export const summaryLayers = ['summary-circle', 'summary-count'];
export const areaLayers = { district: 'districts-fill', street: 'streets-fill', grid: 'grids-fill' } as const;

const empty = { type: 'geojson' as const, data: { type: 'FeatureCollection' as const, features: [] } };

/** `k` scales sizes with the wall (1 at 1920 px wide, 2 at 3840). */
export function buildCommandStyle(origin: string, k = 1): StyleSpecification {
  const src = (layer: TileLayer) => ({ source: layer, 'source-layer': layer });
  const base = baseLayers(darkBase);
  const list: LayerSpecification[] = [
    { id: 'background', type: 'background', paint: { 'background-color': dark.background } },
    {
      id: 'districts-fill',
      type: 'fill',
      ...src('districts'),
      paint: { 'fill-color': dark.districtFill, 'fill-opacity': 0.9 },
    },
    {
      id: 'streets-fill',
      type: 'fill',
      ...src('streets'),
      minzoom: minZoom.streets,
      paint: { 'fill-color': '#0d2440', 'fill-opacity': 0.01 },
    },
    {
      id: 'grids-fill',
      type: 'fill',
      ...src('unit-grids'),
      minzoom: minZoom['unit-grids'],
      paint: { 'fill-color': '#0f2a48', 'fill-opacity': 0.35 },
    },
    ...base.water,
    ...base.roads,
    {
      id: 'grids-line',
      type: 'line',
      ...src('unit-grids'),
      minzoom: minZoom['unit-grids'],
      paint: { 'line-color': dark.grid, 'line-width': 0.8 },
    },
    {
      id: 'streets-line',
      type: 'line',
      ...src('streets'),
      minzoom: minZoom.streets,
      paint: { 'line-color': dark.street, 'line-width': 1, 'line-dasharray': [3, 2] },
    },
    {
      id: 'districts-glow',
      type: 'line',
      ...src('districts'),
      paint: { 'line-color': dark.districtLine, 'line-width': 6, 'line-opacity': 0.15, 'line-blur': 4 },
    },
    {
      id: 'districts-line',
      type: 'line',
      ...src('districts'),
      paint: { 'line-color': dark.districtLine, 'line-width': 1.4, 'line-opacity': 0.85 },
    },
    // The area drilled into, outlined in gold, at whichever level it is.
    ...(['districts', 'streets', 'unit-grids'] as const).map(
      (l): LayerSpecification => ({
        id: `${l}-selected`,
        type: 'line',
        ...src(l),
        filter: noneSelected,
        paint: { 'line-color': dark.selected, 'line-width': 2.5 },
      }),
    ),
    ...base.labels,
    {
      id: 'area-labels',
      type: 'symbol',
      source: labelSource,
      layout: {
        'text-field': ['get', 'name'],
        'text-font': labelFonts,
        'text-size': ['interpolate', ['linear'], ['zoom'], 8, 13 * k, 12, 16 * k],
        'text-letter-spacing': 0.08,
        'text-padding': 6,
        'text-offset': [0, 1.6],
      },
      paint: { 'text-color': dark.label, 'text-halo-color': '#02060d', 'text-halo-width': 1.6 },
    },
    {
      id: 'cases-heat',
      type: 'heatmap',
      source: caseSource,
      maxzoom: 14,
      paint: {
        'heatmap-weight': ['coalesce', ['get', 'point_count'], 1],
        'heatmap-intensity': ['interpolate', ['linear'], ['zoom'], 8, 0.08, 13, 0.4],
        'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 8, 18 * k, 13, 36 * k],
        'heatmap-opacity': ['interpolate', ['linear'], ['zoom'], 8, 0.75, 14, 0],
        'heatmap-color': [
          'interpolate',
          ['linear'],
          ['heatmap-density'],
          0,
          'rgba(0,0,0,0)',
          0.2,
          'rgba(24,144,255,0.5)',
          0.45,
          'rgba(54,207,201,0.7)',
          0.7,
          'rgba(250,219,20,0.8)',
          1,
          'rgba(255,77,79,0.9)',
        ],
      },
    },
    {
      id: 'cluster-circle',
      type: 'circle',
      source: caseSource,
      filter: ['has', 'point_count'],
      paint: {
        // Red when urgent cases make up a tenth of the cluster; a red ring when it holds any.
        'circle-color': [
          'case',
          ['>', ['/', ['get', 'urgent'], ['get', 'point_count']], 0.1],
          'rgba(255,77,79,0.85)',
          'rgba(19,194,194,0.75)',
        ],
        'circle-radius': [
          'step',
          ['get', 'point_count'],
          12 * k,
          10,
          16 * k,
          100,
          22 * k,
          1000,
          30 * k,
          10000,
          40 * k,
        ],
        'circle-stroke-color': ['case', ['>', ['get', 'urgent'], 0], '#ff4d4f', 'rgba(255,255,255,0.55)'],
        'circle-stroke-width': 2 * k,
      },
    },
    {
      id: 'cluster-count',
      type: 'symbol',
      source: caseSource,
      filter: ['has', 'point_count'],
      layout: {
        'text-field': ['get', 'point_count_abbreviated'],
        'text-font': labelFonts,
        'text-size': 12 * k,
        'text-allow-overlap': true,
      },
      paint: { 'text-color': '#ffffff' },
    },
    {
      id: 'summary-circle',
      type: 'circle',
      source: summarySource,
      paint: {
        'circle-color': [
          'case',
          ['>', ['/', ['get', 'urgent'], ['get', 'count']], 0.1],
          'rgba(255,77,79,0.85)',
          'rgba(19,194,194,0.75)',
        ],
        'circle-radius': [
          'step',
          ['get', 'count'],
          12 * k,
          10,
          16 * k,
          100,
          22 * k,
          1000,
          30 * k,
          10000,
          40 * k,
        ],
        'circle-stroke-color': ['case', ['>', ['get', 'urgent'], 0], '#ff4d4f', 'rgba(255,255,255,0.55)'],
        'circle-stroke-width': 2 * k,
      },
    },
    {
      id: 'summary-count',
      type: 'symbol',
      source: summarySource,
      layout: {
        'text-field': ['number-format', ['get', 'count'], {}],
        'text-font': labelFonts,
        'text-size': 12 * k,
        'text-allow-overlap': true,
      },
      paint: { 'text-color': '#ffffff' },
    },
    {
      id: 'case-point',
      type: 'circle',
      source: caseSource,
      filter: ['!', ['has', 'point_count']],
      paint: {
        'circle-color': caseColour,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 12, 4 * k, 17, 8 * k],
        'circle-stroke-color': '#0b1524',
        'circle-stroke-width': 1,
      },
    },
    // Cases that arrived since the last full load: drawn at once, with a halo while they are new.
    {
      id: 'live-halo',
      type: 'circle',
      source: liveSource,
      filter: ['==', ['get', 'fresh'], 1],
      paint: {
        'circle-color': 'rgba(0,0,0,0)',
        'circle-radius': 16 * k,
        'circle-stroke-color': ['case', ['==', ['get', 'u'], 1], dark.urgent, '#ffffff'],
        'circle-stroke-width': 2.5,
      },
    },
    {
      id: 'live-point',
      type: 'circle',
      source: liveSource,
      paint: {
        'circle-color': caseColour,
        'circle-radius': 7 * k,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1.5,
      },
    },
    {
      id: 'replay-point',
      type: 'circle',
      source: replaySource,
      paint: {
        'circle-color': [
          'match',
          ['get', 'kind'],
          'alarm',
          [
            'match',
            ['get', 'severity'],
            'critical',
            '#ff4d4f',
            'major',
            '#fa8c16',
            'minor',
            '#fadb14',
            '#40a9ff',
          ],
          caseColour,
        ],
        'circle-radius': ['case', ['==', ['get', 'kind'], 'alarm'], 9 * k, 5 * k],
        'circle-opacity': ['case', ['==', ['get', 'recent'], 1], 1, 0.75],
        'circle-stroke-color': ['case', ['==', ['get', 'recent'], 1], '#ffffff', '#0b1524'],
        'circle-stroke-width': ['case', ['==', ['get', 'recent'], 1], 2.5, 1],
      },
    },
    {
      id: 'tracks-line',
      type: 'line',
      source: trackSource,
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': dark.inspector, 'line-width': 2, 'line-opacity': 0.6 },
    },
    {
      id: 'inspector-point',
      type: 'circle',
      source: inspectorSource,
      paint: {
        'circle-color': dark.inspector,
        'circle-radius': 6 * k,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    },
    {
      id: 'inspector-label',
      type: 'symbol',
      source: inspectorSource,
      minzoom: 13,
      layout: {
        'text-field': ['get', 'name'],
        'text-font': labelFonts,
        'text-size': 12 * k,
        'text-offset': [0, 1.3],
        'text-anchor': 'top',
      },
      paint: { 'text-color': '#b7eb8f', 'text-halo-color': '#02060d', 'text-halo-width': 1.5 },
    },
  ];
  for (const layer of list) {
    if (laterLayers.includes(layer.id) && layer.type !== 'background') {
      layer.layout = { ...layer.layout, visibility: 'none' };
    }
  }
  return {
    version: 8,
    name: 'OneGrid command',
    sources: {
      ...Object.fromEntries(
        layers.map((l) => [
          l,
          {
            type: 'vector' as const,
            tiles: [`${origin}/api/v1/tiles/${l}/{z}/{x}/{y}.mvt`],
            minzoom: minZoom[l],
            maxzoom: 16,
            promoteId: 'code',
          },
        ]),
      ),
      [caseSource]: {
        ...empty,
        cluster: true,
        clusterRadius: 48,
        clusterMaxZoom: 15,
        clusterProperties: { urgent: ['+', ['get', 'u']] },
      },
      [liveSource]: empty,
      // Clustered too, summing the streets' counts, so it looks like the full set does.
      [summarySource]: {
        ...empty,
        cluster: true,
        clusterRadius: 48,
        clusterMaxZoom: 15,
        clusterProperties: { count: ['+', ['get', 'count']], urgent: ['+', ['get', 'urgent']] },
      },
      [inspectorSource]: empty,
      [trackSource]: empty,
      [replaySource]: empty,
      [labelSource]: empty,
    },
    layers: list,
  };
}

/**
 * Layers drawn only once the first view (districts and case clusters) is on screen: their tiles,
 * glyphs and heatmap pass would otherwise queue in the map's one worker and GPU ahead of it.
 */
export const laterLayers = [
  'streets-fill',
  'grids-fill',
  'grids-line',
  'streets-line',
  'streets-selected',
  'unit-grids-selected',
  'area-labels',
  'cases-heat',
  'inspector-label',
];

/** Layers hidden while replaying (the live picture), and the one shown instead. */
export const liveLayers = [
  'cases-heat',
  'cluster-circle',
  'cluster-count',
  'case-point',
  'live-halo',
  'live-point',
];
