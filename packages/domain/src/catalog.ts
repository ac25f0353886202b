/**
 * 数据资源目录: the datasets OneGrid shares with other systems, as data — each with its fields,
 * every field's class (privacy.ts: public < internal < sensitive, secret never leaves), the owner
 * department, how often it changes and how its share cursor moves. The server reads datasets
 * through `/api/v1/share/{dataset}` by these definitions; the web catalog screen shows them
 * (docs/sharing.md "Data catalog").
 */
import type { DataClass } from './privacy.ts';

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

/** How a value below the reader's clearance is given: masked this way, else `null`. */
export type FieldMask = 'name' | 'contact' | 'text' | 'point';

export interface DatasetField {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'datetime' | 'point' | 'geometry' | 'object' | 'string[]';
  class: Exclude<DataClass, 'secret'>;
  mask?: FieldMask;
  zh: string;
  en: string;
}

export interface Dataset {
  id: DatasetId;
  title: { zh: string; en: string };
  description: { zh: string; en: string };
  /** The department responsible for the data (数据责任部门). */
  owner: { zh: string; en: string };
  updateFrequency: 'realtime' | 'minutes' | 'hourly' | 'daily' | 'on-change';
  /** What the share cursor follows: a change time (rows come again when changed) or arrival order. */
  cursor: 'updated' | 'time' | 'id';
  fields: readonly DatasetField[];
}

const f = (
  name: string,
  type: DatasetField['type'],
  cls: DatasetField['class'],
  zh: string,
  en: string,
  mask?: FieldMask,
): DatasetField => ({ name, type, class: cls, zh, en, ...(mask ? { mask } : {}) });

const centre = { zh: '城市运行管理中心', en: 'City operations centre' };
const iotOwner = { zh: '城市运行管理中心（物联感知）', en: 'City operations centre (IoT)' };

export const datasets: readonly Dataset[] = [
  {
    id: 'cases',
    title: { zh: '案件', en: 'Cases' },
    description: {
      zh: '发现、立案、派遣、处置、核查、结案全过程中的案件当前状态',
      en: 'Cases of the closed loop with their current state',
    },
    owner: centre,
    updateFrequency: 'realtime',
    cursor: 'updated',
    fields: [
      f('id', 'number', 'public', '案件标识', 'Case id'),
      f('number', 'string', 'public', '案件编号', 'Case number'),
      f('status', 'string', 'public', '状态', 'Status'),
      f('source', 'string', 'public', '来源', 'Source'),
      f('category', 'string', 'public', '类别代码', 'Category code'),
      f('urgency', 'string', 'public', '紧急程度', 'Urgency'),
      f('areaCode', 'string', 'public', '所在区域', 'Area code'),
      f('districtCode', 'string', 'public', '区', 'District code'),
      f('location', 'point', 'internal', '位置', 'Location', 'point'),
      f('address', 'string', 'internal', '地址', 'Address', 'text'),
      f('description', 'string', 'internal', '描述', 'Description', 'text'),
      f('departmentCode', 'string', 'internal', '处置部门', 'Department'),
      f('reporterName', 'string', 'sensitive', '报告人姓名', "Reporter's name", 'name'),
      f('reporterContact', 'string', 'sensitive', '报告人联系方式', "Reporter's contact", 'contact'),
      f('dueAt', 'datetime', 'public', '当前时限', 'Current deadline'),
      f('closedAt', 'datetime', 'public', '结案时间', 'Closed at'),
      f('createdAt', 'datetime', 'public', '上报时间', 'Reported at'),
      f('updatedAt', 'datetime', 'public', '更新时间', 'Updated at'),
    ],
  },
  {
    id: 'components',
    title: { zh: '城市部件', en: 'City components' },
    description: {
      zh: '按 GB/T 47678.5 普查的城市部件（井盖、路灯、消防栓等）',
      en: 'City components surveyed per GB/T 47678.5 (manholes, lamps, hydrants…)',
    },
    owner: { zh: '各权属单位（城市运行管理中心汇总）', en: 'Owning departments (collected by the centre)' },
    updateFrequency: 'on-change',
    cursor: 'updated',
    fields: [
      f('id', 'string', 'public', '部件标识码', 'Component id'),
      f('category', 'string', 'public', '部件类别', 'Category code'),
      f('name', 'string', 'public', '名称', 'Name'),
      f('status', 'string', 'public', '状态', 'Status'),
      f('ownerDepartment', 'string', 'public', '主管部门', 'Owner department'),
      f('maintainer', 'string', 'internal', '养护单位', 'Maintainer'),
      f('unitGridCode', 'string', 'public', '单元网格', 'Unit grid'),
      f('location', 'point', 'public', '位置', 'Location'),
      f('surveyDate', 'string', 'public', '普查日期', 'Survey date'),
      f('updatedAt', 'datetime', 'public', '更新时间', 'Updated at'),
    ],
  },
  {
    id: 'areas',
    title: { zh: '行政区划', en: 'Administrative areas' },
    description: {
      zh: '市、区、街道（镇）、社区（村）',
      en: 'City, districts, streets and towns, communities',
    },
    owner: { zh: '民政部门', en: 'Civil affairs' },
    updateFrequency: 'on-change',
    cursor: 'updated',
    fields: [
      f('code', 'string', 'public', '区划代码', 'Code'),
      f('level', 'string', 'public', '层级', 'Level'),
      f('name', 'string', 'public', '名称', 'Name'),
      f('parentCode', 'string', 'public', '上级区划', 'Parent code'),
      f('population', 'number', 'internal', '人口', 'Population'),
      f('areaM2', 'number', 'public', '面积（平方米）', 'Area (m²)'),
      f('centre', 'point', 'public', '中心点', 'Centre'),
      f('updatedAt', 'datetime', 'public', '更新时间', 'Updated at'),
    ],
  },
  {
    id: 'grids',
    title: { zh: '单元网格', en: 'Unit grids' },
    description: {
      zh: 'GB/T 30428.1 单元网格及其边界',
      en: 'Unit grids (GB/T 30428.1) with their boundaries',
    },
    owner: centre,
    updateFrequency: 'on-change',
    cursor: 'updated',
    fields: [
      f('code', 'string', 'public', '网格编码', 'Grid code'),
      f('communityCode', 'string', 'public', '社区', 'Community'),
      f('dutyGridCode', 'string', 'internal', '责任网格', 'Duty grid'),
      f('areaClass', 'string', 'public', '区域类别', 'Area class'),
      f('areaM2', 'number', 'public', '面积（平方米）', 'Area (m²)'),
      f('geometry', 'geometry', 'public', '边界（GeoJSON）', 'Boundary (GeoJSON)'),
      f('updatedAt', 'datetime', 'public', '更新时间', 'Updated at'),
    ],
  },
  {
    id: 'devices',
    title: { zh: '物联设备', en: 'IoT devices' },
    description: { zh: '接入的感知设备及其在线状态', en: 'Connected sensors and their status' },
    owner: iotOwner,
    updateFrequency: 'minutes',
    cursor: 'updated',
    fields: [
      f('id', 'string', 'public', '设备编号', 'Device id'),
      f('type', 'string', 'public', '设备类型', 'Type'),
      f('name', 'string', 'public', '名称', 'Name'),
      f('status', 'string', 'public', '状态', 'Status'),
      f('unitGridCode', 'string', 'public', '单元网格', 'Unit grid'),
      f('location', 'point', 'internal', '位置', 'Location', 'point'),
      f('ownerDepartment', 'string', 'internal', '权属部门', 'Owner department'),
      f('lastSeenAt', 'datetime', 'public', '最近上报', 'Last seen'),
      f('updatedAt', 'datetime', 'public', '更新时间', 'Updated at'),
    ],
  },
  {
    id: 'readings',
    title: { zh: '设备读数', en: 'Device readings' },
    description: { zh: '设备上报的原始读数', en: 'Raw readings as devices send them' },
    owner: iotOwner,
    updateFrequency: 'realtime',
    cursor: 'time',
    fields: [
      f('deviceId', 'string', 'public', '设备编号', 'Device id'),
      f('metric', 'string', 'public', '指标', 'Metric'),
      f('ts', 'datetime', 'public', '时间', 'Time'),
      f('value', 'number', 'public', '数值', 'Value'),
      f('text', 'string', 'internal', '文本值', 'Text value'),
    ],
  },
  {
    id: 'rollups',
    title: { zh: '读数汇总', en: 'Reading rollups' },
    description: {
      zh: '每小时的最小、最大、平均与条数（整点后提供）',
      en: 'Hourly min, max, mean and count (after the hour ends)',
    },
    owner: iotOwner,
    updateFrequency: 'hourly',
    cursor: 'time',
    fields: [
      f('deviceId', 'string', 'public', '设备编号', 'Device id'),
      f('metric', 'string', 'public', '指标', 'Metric'),
      f('hour', 'datetime', 'public', '小时', 'Hour'),
      f('min', 'number', 'public', '最小值', 'Min'),
      f('max', 'number', 'public', '最大值', 'Max'),
      f('mean', 'number', 'public', '平均值', 'Mean'),
      f('count', 'number', 'public', '条数', 'Count'),
    ],
  },
  {
    id: 'alarms',
    title: { zh: '告警', en: 'Alarms' },
    description: {
      zh: '规则引擎产生的告警及其确认、恢复',
      en: 'Alarms raised by the rules, acknowledged and cleared',
    },
    owner: iotOwner,
    updateFrequency: 'realtime',
    cursor: 'updated',
    fields: [
      f('id', 'number', 'public', '告警标识', 'Alarm id'),
      f('deviceId', 'string', 'public', '设备编号', 'Device id'),
      f('severity', 'string', 'public', '级别', 'Severity'),
      f('areaCode', 'string', 'public', '所在区域', 'Area code'),
      f('acknowledged', 'boolean', 'public', '已确认', 'Acknowledged'),
      f('cleared', 'boolean', 'public', '已恢复', 'Cleared'),
      f('raisedAt', 'datetime', 'public', '发生时间', 'Raised at'),
      f('lastValue', 'object', 'internal', '最新读数', 'Last value'),
      f('updatedAt', 'datetime', 'public', '更新时间', 'Updated at'),
    ],
  },
  {
    id: 'vitals',
    title: { zh: '城市生命体征', en: 'City vital signs' },
    description: { zh: '各区域体征指标的历史值与等级', en: 'History of the vital-sign indicators per area' },
    owner: centre,
    updateFrequency: 'minutes',
    cursor: 'time',
    fields: [
      f('indicator', 'string', 'public', '指标', 'Indicator'),
      f('areaCode', 'string', 'public', '区域', 'Area code'),
      f('at', 'datetime', 'public', '时间', 'Time'),
      f('value', 'number', 'public', '数值', 'Value'),
      f('level', 'string', 'public', '等级', 'Level'),
    ],
  },
  {
    id: 'addresses',
    title: { zh: '标准地址', en: 'Standard addresses' },
    description: {
      zh: '标准地址库（新增的地址按编号顺序提供）',
      en: 'Standard addresses (new ones in the order they were added)',
    },
    owner: { zh: '规划和自然资源部门', en: 'Planning and natural resources' },
    updateFrequency: 'on-change',
    cursor: 'id',
    fields: [
      f('code', 'string', 'public', '地址编码', 'Address code'),
      f('address', 'string', 'public', '标准地址', 'Standard address'),
      f('districtCode', 'string', 'public', '区', 'District code'),
      f('streetCode', 'string', 'public', '街道', 'Street code'),
      f('unitGridCode', 'string', 'public', '单元网格', 'Unit grid'),
      f('location', 'point', 'public', '位置', 'Location'),
    ],
  },
];

export const datasetTitles = Object.fromEntries(datasets.map((d) => [d.id, d.title])) as Record<
  DatasetId,
  { zh: string; en: string }
>;

export function datasetById(id: string): Dataset | undefined {
  return datasets.find((d) => d.id === id);
}
