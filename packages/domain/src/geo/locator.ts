import type { AreaLevel } from '../areas.ts';
import type { FlatMultiPolygon } from './geometry.ts';
import { type IndexedFeature, PolygonIndex } from './polygon-index.ts';

export type AreaClass = 'A' | 'B' | 'C';

export interface AreaRef {
  code: string;
  name: string;
}

/** What a point resolves to. `district` is set whenever a Location exists at all. */
export interface Location {
  city: AreaRef;
  district: AreaRef | null;
  street: AreaRef | null;
  community: AreaRef | null;
  unitGrid: { code: string; areaClass: AreaClass } | null;
  dutyGrid: AreaRef | null;
}

export interface AreaInfo {
  code: string;
  name: string;
  level: AreaLevel;
  parentCode: string | null;
}

export interface UnitGridInfo {
  areaClass: AreaClass;
  dutyGridCode: string | null;
}

/** Everything the locator is built from, in memory, as loaded from the database. */
export interface GeoModel {
  /** All areas, with or without geometry: names and parents for codes derived from a unit grid. */
  areas: Iterable<AreaInfo>;
  areaShapes: Record<
    'district' | 'street' | 'community',
    Iterable<{ code: string; geometry: FlatMultiPolygon }>
  >;
  unitGrids: Iterable<IndexedFeature<UnitGridInfo>>;
  dutyGrids: Iterable<{ code: string; name: string; geometry: FlatMultiPolygon | null }>;
}

const prefixLength = { district: 6, street: 9, community: 12 } as const;
type SubLevel = keyof typeof prefixLength;

/**
 * Resolves a WGS-84 point to its place in the city model, one index per level.
 *
 * The unit grid decides: when a grid holds the point, its community, street and district are
 * read off its code's prefixes, so the answer never names a grid outside its own community.
 * Only where no grid covers the point (areas imported without grids) is each level located on
 * its own. Duty grid: the grid's own assignment first, else the duty-grid polygons.
 * `locateSql` in the server's geo repository states the same rules in SQL.
 */
/** What a unit grid decides, worked out once per grid when the index is built. */
interface GridAnswer {
  unitGrid: { code: string; areaClass: AreaClass };
  /** Undefined where the grid's code names an area that does not exist: that level is located on its own. */
  district: AreaRef | undefined;
  street: AreaRef | undefined;
  community: AreaRef | undefined;
  dutyGrid: AreaRef | undefined;
}

export class Locator {
  readonly unitGrids: PolygonIndex<UnitGridInfo>;
  private readonly levels: Record<SubLevel, PolygonIndex<null>>;
  private readonly dutyGrids: PolygonIndex<null>;
  private readonly areas = new Map<string, AreaInfo>();
  private readonly dutyGridNames = new Map<string, string>();
  /** One frozen AreaRef per code, shared by every answer. */
  private readonly refs = new Map<string, AreaRef>();
  private readonly cities = new Map<string, AreaRef>();
  private readonly gridAnswers: GridAnswer[] = [];

  constructor(model: GeoModel) {
    for (const a of model.areas) this.areas.set(a.code, a);
    const shapes = (rows: Iterable<{ code: string; geometry: FlatMultiPolygon }>) =>
      PolygonIndex.build([...rows].map((r) => ({ code: r.code, geometry: r.geometry, data: null })));
    this.levels = {
      district: shapes(model.areaShapes.district),
      street: shapes(model.areaShapes.street),
      community: shapes(model.areaShapes.community),
    };
    this.unitGrids = PolygonIndex.build(model.unitGrids);
    const duty: IndexedFeature<null>[] = [];
    for (const d of model.dutyGrids) {
      this.dutyGridNames.set(d.code, d.name);
      if (d.geometry) duty.push({ code: d.code, geometry: d.geometry, data: null });
    }
    this.dutyGrids = PolygonIndex.build(duty);

    const derived = (gridCode: string, l: SubLevel): AreaRef | undefined => {
      const a = this.areas.get(gridCode.slice(0, prefixLength[l]));
      return a && a.level === l ? this.ref(a.code, a.name) : undefined;
    };
    for (let i = 0; i < this.unitGrids.size; i++) {
      const code = this.unitGrids.code(i);
      const info = this.unitGrids.data(i);
      const duty = info.dutyGridCode;
      const dutyName = duty ? this.dutyGridNames.get(duty) : undefined;
      this.gridAnswers.push({
        unitGrid: Object.freeze({ code, areaClass: info.areaClass }),
        district: derived(code, 'district'),
        street: derived(code, 'street'),
        community: derived(code, 'community'),
        dutyGrid: duty && dutyName !== undefined ? this.ref(duty, dutyName) : undefined,
      });
    }
  }

  /** Counts per layer, for logs and health. */
  stats(): Record<'districts' | 'streets' | 'communities' | 'unitGrids' | 'dutyGrids', number> {
    return {
      districts: this.levels.district.size,
      streets: this.levels.street.size,
      communities: this.levels.community.size,
      unitGrids: this.unitGrids.size,
      dutyGrids: this.dutyGrids.size,
    };
  }

  /** The place holding (lng, lat) in WGS-84, or null when no district holds it. */
  locate(lng: number, lat: number): Location | null {
    const g = this.unitGrids.locate(lng, lat);
    const grid = g < 0 ? undefined : this.gridAnswers[g];
    const district = grid?.district ?? this.onItsOwn('district', lng, lat);
    if (!district) return null;
    let dutyGrid = grid?.dutyGrid ?? null;
    if (!dutyGrid) {
      const d = this.dutyGrids.locate(lng, lat);
      if (d >= 0) {
        const code = this.dutyGrids.code(d);
        dutyGrid = this.ref(code, this.dutyGridNames.get(code) ?? code);
      }
    }
    return {
      city: this.cityOf(district.code),
      district,
      street: grid?.street ?? this.onItsOwn('street', lng, lat),
      community: grid?.community ?? this.onItsOwn('community', lng, lat),
      unitGrid: grid?.unitGrid ?? null,
      dutyGrid,
    };
  }

  private onItsOwn(l: SubLevel, lng: number, lat: number): AreaRef | null {
    const i = this.levels[l].locate(lng, lat);
    if (i < 0) return null;
    const code = this.levels[l].code(i);
    return this.ref(code, this.areas.get(code)?.name ?? code);
  }

  private ref(code: string, name: string): AreaRef {
    let r = this.refs.get(code);
    if (!r || r.name !== name) {
      r = Object.freeze({ code, name });
      this.refs.set(code, r);
    }
    return r;
  }

  /** The district's parent when it is a city, else the city its code starts with. */
  private cityOf(districtCode: string): AreaRef {
    const known = this.cities.get(districtCode);
    if (known) return known;
    const parent = this.areas.get(districtCode)?.parentCode;
    const byParent = parent ? this.areas.get(parent) : undefined;
    const byPrefix = this.areas.get(districtCode.slice(0, 4));
    const code = districtCode.slice(0, 4);
    const city =
      byParent?.level === 'city'
        ? this.ref(byParent.code, byParent.name)
        : byPrefix?.level === 'city'
          ? this.ref(byPrefix.code, byPrefix.name)
          : this.ref(code, code);
    this.cities.set(districtCode, city);
    return city;
  }
}
