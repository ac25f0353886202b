/**
 * How each dataset of the catalog (@onegrid/domain catalog.ts) is read: its rows, the area each
 * row belongs to (the reader's scope is checked on it), the order the share cursor follows and
 * the SQL of every field. Field names match the catalog's; secret columns are never selected.
 */
import type { DatasetId } from '@onegrid/domain';

export interface DatasetSql {
  from: string;
  /** The area code of a row; null areas are seen by city-wide readers only. */
  area: string;
  /** Change or event time the cursor follows (null: arrival order by `key` alone). */
  ts: string | null;
  /** Ties within one `ts` (or the whole order when `ts` is null). */
  key: string;
  keyType: 'text' | 'bigint';
  /** Extra condition: e.g. only hours that have ended. */
  where?: string;
  select: Record<string, string>;
}

const point = (g: string) =>
  `CASE WHEN ${g} IS NULL THEN NULL ELSE json_build_object('lng', ST_X(${g}), 'lat', ST_Y(${g})) END`;

export const datasetSql: Record<DatasetId, DatasetSql> = {
  cases: {
    from: 'cases c',
    area: 'c.area_code',
    ts: 'c.updated_at',
    key: 'c.id',
    keyType: 'bigint',
    select: {
      id: 'c.id::int',
      number: 'c.number',
      status: 'c.status',
      source: 'c.source',
      category: 'c.category_code',
      urgency: 'c.urgency',
      areaCode: 'c.area_code',
      districtCode: 'c.district_code',
      location: point('c.geom'),
      address: 'c.address',
      description: 'c.description',
      departmentCode: 'c.department_code',
      reporterName: 'c.reporter_name',
      reporterContact: 'c.reporter_contact',
      dueAt: 'c.due_at',
      closedAt: 'c.closed_at',
      createdAt: 'c.created_at',
      updatedAt: 'c.updated_at',
    },
  },
  components: {
    from: 'components p',
    area: 'p.unit_grid_code',
    ts: 'p.updated_at',
    key: 'p.id',
    keyType: 'text',
    select: {
      id: 'p.id',
      category: 'p.category_code',
      name: 'p.name',
      status: 'p.status',
      ownerDepartment: 'p.owner_dept_name',
      maintainer: 'p.maintainer_name',
      unitGridCode: 'p.unit_grid_code',
      location: point('p.geom'),
      surveyDate: 'p.survey_date::text',
      updatedAt: 'p.updated_at',
    },
  },
  areas: {
    from: 'areas a',
    area: 'a.code',
    ts: 'a.updated_at',
    key: 'a.code',
    keyType: 'text',
    select: {
      code: 'a.code',
      level: 'a.level',
      name: 'a.name',
      parentCode: 'a.parent_code',
      population: 'a.population',
      areaM2: 'a.area_m2',
      centre: point('a.center'),
      updatedAt: 'a.updated_at',
    },
  },
  grids: {
    from: 'unit_grids g',
    area: 'g.code',
    ts: 'g.updated_at',
    key: 'g.code',
    keyType: 'text',
    select: {
      code: 'g.code',
      communityCode: 'g.community_code',
      dutyGridCode: 'g.duty_grid_code',
      areaClass: 'g.area_class',
      areaM2: 'g.area_m2',
      geometry: 'ST_AsGeoJSON(g.geom, 7)::json',
      updatedAt: 'g.updated_at',
    },
  },
  devices: {
    from: 'devices d',
    area: 'd.unit_grid_code',
    ts: 'd.updated_at',
    key: 'd.id',
    keyType: 'text',
    select: {
      id: 'd.id',
      type: 'd.type_id',
      name: 'd.name',
      status: 'd.status',
      unitGridCode: 'd.unit_grid_code',
      location: point('d.location'),
      ownerDepartment: 'd.owner_dept_code',
      lastSeenAt: 'd.last_seen_at',
      updatedAt: 'd.updated_at',
    },
  },
  readings: {
    from: 'readings r JOIN devices d ON d.id = r.device_id',
    area: 'd.unit_grid_code',
    ts: 'r.ts',
    key: "r.device_id || '/' || r.metric",
    keyType: 'text',
    select: { deviceId: 'r.device_id', metric: 'r.metric', ts: 'r.ts', value: 'r.num', text: 'r.txt' },
  },
  rollups: {
    from: 'readings_1h h JOIN devices d ON d.id = h.device_id',
    area: 'd.unit_grid_code',
    ts: 'h.bucket',
    key: "h.device_id || '/' || h.metric",
    keyType: 'text',
    // An hour is shared once it has ended (its row no longer changes).
    where: "h.bucket + interval '1 hour' <= now()",
    select: {
      deviceId: 'h.device_id',
      metric: 'h.metric',
      hour: 'h.bucket',
      min: 'h.min',
      max: 'h.max',
      mean: 'CASE WHEN h.count > 0 THEN h.sum / h.count END',
      count: 'h.count',
    },
  },
  alarms: {
    from: 'alarms l',
    area: 'l.area_code',
    ts: 'l.updated_at',
    key: 'l.id',
    keyType: 'bigint',
    select: {
      id: 'l.id::int',
      deviceId: 'l.device_id',
      severity: 'l.severity',
      areaCode: 'l.area_code',
      acknowledged: 'l.acknowledged',
      cleared: 'l.cleared',
      raisedAt: 'l.raised_at',
      lastValue: 'l.last_value',
      updatedAt: 'l.updated_at',
    },
  },
  vitals: {
    from: 'vital_history v',
    area: 'v.area_code',
    ts: 'v.at',
    key: "v.indicator_id || '/' || v.area_code",
    keyType: 'text',
    select: {
      indicator: 'v.indicator_id',
      areaCode: 'v.area_code',
      at: 'v.at',
      value: 'v.value',
      level: 'v.level',
    },
  },
  addresses: {
    from: 'addresses s',
    area: 'coalesce(s.unit_grid_code, s.street_code, s.district_code)',
    ts: null,
    key: 's.id',
    keyType: 'bigint',
    select: {
      code: 's.code',
      address: 's.std_text',
      districtCode: 's.district_code',
      streetCode: 's.street_code',
      unitGridCode: 's.unit_grid_code',
      location: point('s.geom'),
    },
  },
};
