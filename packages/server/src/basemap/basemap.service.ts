/**
 * The base map as the browser needs it (`GET /api/v1/public/basemap`), and the tiles of a PMTiles
 * archive OneGrid serves itself (`pmtiles` reads the archive: header, directories, tiles).
 */
import fs from 'node:fs/promises';
import { PMTiles, type RangeResponse, type Source, TileType } from 'pmtiles';
import type { Basemap, BasemapCrs } from './basemap.config.ts';
import { tiandituTiles } from './basemap.config.ts';

export interface BasemapView {
  /** none: our own roads and water; raster/vector: tiles under our layers; style: a whole style. */
  kind: 'none' | 'raster' | 'vector' | 'style';
  /** The CRS the tiles are drawn in; the web app shifts GCJ-02 tiles under our WGS-84 layers. */
  crs: BasemapCrs;
  /** Tile URL templates; relative ones are OneGrid's own (PMTiles). */
  tiles?: string[];
  /** Raster labels drawn over the base (天地图's 注记). */
  labels?: string[];
  style?: string;
  minzoom?: number;
  maxzoom?: number;
  attribution?: string;
  /** A vector archive's layers, for the generic style the web app draws them with. */
  vectorLayers?: { id: string; geometry?: string }[];
}

/** A PMTiles source reading a local file with positioned reads (no whole-file load). */
export class NodeFileSource implements Source {
  private handle: Promise<fs.FileHandle> | undefined;
  constructor(private readonly file: string) {}
  getKey() {
    return this.file;
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    this.handle ??= fs.open(this.file, 'r');
    const h = await this.handle;
    const buf = Buffer.alloc(length);
    const { bytesRead } = await h.read(buf, 0, length, offset);
    return { data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + bytesRead) as ArrayBuffer };
  }
  async close() {
    if (this.handle) await (await this.handle).close();
    this.handle = undefined;
  }
}

const contentTypes: Partial<Record<TileType, string>> = {
  [TileType.Mvt]: 'application/vnd.mapbox-vector-tile',
  [TileType.Png]: 'image/png',
  [TileType.Jpeg]: 'image/jpeg',
  [TileType.Webp]: 'image/webp',
  [TileType.Avif]: 'image/avif',
};

export interface BasemapTile {
  body: Buffer;
  contentType: string;
}

export const basemapTilePath = '/api/v1/basemap/tiles/{z}/{x}/{y}';

export function basemapService(basemap: Basemap) {
  const source = basemap.kind === 'pmtiles' ? new NodeFileSource(basemap.file) : undefined;
  // The reader gunzips directories and tiles itself (DecompressionStream, else fflate).
  const archive = source ? new PMTiles(source) : undefined;
  let view: Promise<BasemapView> | undefined;

  async function describe(): Promise<BasemapView> {
    switch (basemap.kind) {
      case 'none':
        return { kind: 'none', crs: 'wgs84' };
      case 'tianditu':
        return {
          kind: 'raster',
          crs: 'wgs84',
          tiles: tiandituTiles('vec', basemap.key),
          labels: tiandituTiles('cva', basemap.key),
          minzoom: 1,
          maxzoom: 18,
          attribution: '天地图',
        };
      case 'xyz':
        return {
          kind: 'raster',
          crs: basemap.crs,
          tiles: ['a', 'b', 'c']
            .map((s) => basemap.url.replace('{s}', s))
            .filter((u, i, all) => all.indexOf(u) === i),
          maxzoom: 19,
        };
      case 'style':
        return { kind: 'style', crs: 'wgs84', style: basemap.url };
      case 'pmtiles': {
        const h = await archive!.getHeader();
        const meta = ((await archive!.getMetadata().catch(() => ({}))) ?? {}) as {
          vector_layers?: { id: string; geometry?: string }[];
          attribution?: string;
        };
        const vector = h.tileType === TileType.Mvt;
        return {
          kind: vector ? 'vector' : 'raster',
          crs: basemap.crs,
          tiles: [basemapTilePath],
          minzoom: h.minZoom,
          maxzoom: h.maxZoom,
          ...(typeof meta.attribution === 'string' ? { attribution: meta.attribution } : {}),
          ...(vector ? { vectorLayers: (meta.vector_layers ?? []).map((l) => ({ id: l.id })) } : {}),
        };
      }
    }
  }

  return {
    basemap,
    view(): Promise<BasemapView> {
      view ??= describe();
      return view;
    },
    /** One tile of the PMTiles archive; undefined when it has none there (or no archive is set). */
    async tile(z: number, x: number, y: number): Promise<BasemapTile | undefined> {
      if (!archive) return undefined;
      const h = await archive.getHeader();
      if (z < h.minZoom || z > h.maxZoom) return undefined;
      const r = await archive.getZxy(z, x, y);
      if (!r) return undefined;
      return {
        body: Buffer.from(r.data),
        contentType: contentTypes[h.tileType] ?? 'application/octet-stream',
      };
    },
    async close() {
      await source?.close();
    },
  };
}

export type BasemapService = ReturnType<typeof basemapService>;
