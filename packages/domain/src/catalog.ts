/**
 * 数据资源目录: the datasets OneGrid shares with other systems, as data. Filled in by the
 * data-catalog part of issue 14 (docs/sharing.md).
 */
export const datasetIds = [
  'cases',
  'components',
  'areas',
  'grids',
  'devices',
  'readings',
  'rollups',
  'alarms',
  'vitals',
  'addresses',
] as const;
export type DatasetId = (typeof datasetIds)[number];

export function isDatasetId(value: unknown): value is DatasetId {
  return typeof value === 'string' && (datasetIds as readonly string[]).includes(value);
}

export const datasetTitles: Record<DatasetId, { zh: string; en: string }> = {
  cases: { zh: '案件', en: 'Cases' },
  components: { zh: '城市部件', en: 'City components' },
  areas: { zh: '行政区划', en: 'Administrative areas' },
  grids: { zh: '单元网格', en: 'Unit grids' },
  devices: { zh: '物联设备', en: 'IoT devices' },
  readings: { zh: '设备读数', en: 'Device readings' },
  rollups: { zh: '读数汇总', en: 'Reading rollups' },
  alarms: { zh: '告警', en: 'Alarms' },
  vitals: { zh: '城市生命体征', en: 'City vital signs' },
  addresses: { zh: '标准地址', en: 'Standard addresses' },
};
