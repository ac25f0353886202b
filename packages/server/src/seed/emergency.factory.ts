/**
 * The demo city's emergency set-up (黄浦区): the flood plan (防汛防台专项应急预案) triggered by
 * standing-water sensors, pumps, rescue teams, stockpiles, shelters and an expert around 人民广场,
 * and a duty roster for the city and the district for the next days (24-hour shifts from midnight,
 * Shanghai time). `onegrid simulate --scenario storm` raises the alarms that trigger the plan.
 */
import type { Queryable } from '../db/db.ts';
import { square } from './loop-city.factory.ts';
import { departmentCode } from './org.factory.ts';

const hp = '310101';
const street = '310101002';

export const demoFloodPlan = {
  code: 'hp-flood',
  name: '黄浦区防汛防台专项应急预案',
  incidentType: 'flood',
  areaCode: hp,
  level: 4,
  triggers: [
    { kind: 'alarms', deviceType: 'water-depth', minDevices: 3, withinMinutes: 30, per: 'street' },
    {
      kind: 'alarms',
      deviceType: 'water-depth',
      minDevices: 8,
      withinMinutes: 30,
      per: 'district',
      level: 3,
    },
  ],
  steps: [
    { title: '开启泵站强排，调度移动泵车', departmentCode: departmentCode(hp, 'sw'), limitMinutes: 30 },
    { title: '积水路段交通管制、下立交封闭', departmentCode: departmentCode(hp, 'jj'), limitMinutes: 30 },
    { title: '积水点设置警示、疏导行人', departmentCode: departmentCode(hp, 'cgzf'), limitMinutes: 60 },
    { title: '排查倒伏树木和广告牌', departmentCode: departmentCode(hp, 'lhsr'), limitMinutes: 90 },
    { title: '汇总灾情，按时报送区防汛指挥部', departmentCode: null, limitMinutes: 120 },
  ],
} as const;

const at = (dx: number, dy: number) => ({ lng: square.lng + dx, lat: square.lat + dy });

export const demoResources = [
  { kind: 'pump', name: '黄浦区水务 移动泵车 1 号', ...at(0.004, 0.002), capacity: 300, dept: 'sw' },
  { kind: 'pump', name: '黄浦区水务 移动泵车 2 号', ...at(-0.012, -0.006), capacity: 300, dept: 'sw' },
  { kind: 'pump', name: '黄浦区水务 移动泵车 3 号', ...at(0.018, 0.01), capacity: 500, dept: 'sw' },
  {
    kind: 'pump',
    name: '黄浦区水务 移动泵车 4 号（检修）',
    ...at(0.002, -0.001),
    capacity: 300,
    dept: 'sw',
    status: 'unavailable',
  },
  { kind: 'team', name: '黄浦区防汛抢险队', ...at(-0.006, 0.004), capacity: 40, dept: 'sw' },
  { kind: 'team', name: '南京东路街道应急分队', ...at(0.007, 0.005), capacity: 15, dept: 'cgzf' },
  { kind: 'vehicle', name: '黄浦区城管 抢险车 1 号', ...at(-0.003, -0.004), dept: 'cgzf' },
  {
    kind: 'stockpile',
    name: '黄浦区防汛物资仓库',
    ...at(-0.015, 0.008),
    dept: 'sw',
    stock: [
      { item: '沙袋', unit: '袋', quantity: 8000 },
      { item: '挡水板', unit: '块', quantity: 300 },
      { item: '救生衣', unit: '件', quantity: 500 },
    ],
  },
  {
    kind: 'stockpile',
    name: '南京东路街道应急物资点',
    ...at(0.005, -0.003),
    dept: 'cgzf',
    stock: [
      { item: '沙袋', unit: '袋', quantity: 1200 },
      { item: '雨衣', unit: '件', quantity: 200 },
    ],
  },
  { kind: 'shelter', name: '人民广场应急避难场所', ...at(-0.001, 0.001), capacity: 5000 },
  { kind: 'shelter', name: '黄浦体育馆避难点', ...at(0.011, -0.009), capacity: 1200 },
  { kind: 'expert', name: '排水工程专家 吴工', ...at(0.009, 0.003) },
] as const;

/** The plan, the resources and a roster of `days` 24-hour shifts from today (Shanghai). Idempotent per plan code. */
export async function seedEmergencyDemo(q: Queryable, o: { now?: Date; days?: number } = {}): Promise<void> {
  const exists = await q.query('SELECT 1 FROM emergency_plans WHERE code = $1', [demoFloodPlan.code]);
  if (exists.rows.length) return;
  await q.query(
    `INSERT INTO emergency_plans (code, name, incident_type, area_code, level, triggers, steps)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      demoFloodPlan.code,
      demoFloodPlan.name,
      demoFloodPlan.incidentType,
      demoFloodPlan.areaCode,
      demoFloodPlan.level,
      JSON.stringify(demoFloodPlan.triggers),
      JSON.stringify(demoFloodPlan.steps),
    ],
  );
  for (const r of demoResources) {
    const dept = 'dept' in r ? departmentCode(hp, r.dept) : null;
    await q.query(
      `INSERT INTO emergency_resources (kind, name, area_code, location, status, capacity, stock, department_code)
       VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326), $6, $7, $8,
               (SELECT code FROM departments WHERE code = $9))`,
      [
        r.kind,
        r.name,
        street,
        r.lng,
        r.lat,
        'status' in r ? r.status : 'available',
        'capacity' in r ? r.capacity : null,
        JSON.stringify('stock' in r ? r.stock : []),
        dept,
      ],
    );
  }
  // Midnight in Shanghai (UTC+8) today, then `days` daily shifts.
  const now = o.now ?? new Date();
  const midnight = new Date(
    Math.floor((now.getTime() + 8 * 3600_000) / 86_400_000) * 86_400_000 - 8 * 3600_000,
  );
  const roster = [
    ['leader', '3101', 'lead'],
    ['operator', '3101', 'officer'],
    ['hp-operator', hp, 'officer'],
  ] as const;
  for (let d = -1; d < (o.days ?? 14); d++) {
    const start = new Date(midnight.getTime() + d * 86_400_000);
    const end = new Date(start.getTime() + 86_400_000);
    for (const [username, area, post] of roster) {
      await q.query(
        `INSERT INTO duty_shifts (area_code, user_id, post, starts_at, ends_at)
         SELECT $2, id, $3, $4, $5 FROM users WHERE username = $1`,
        [username, area, post, start, end],
      );
    }
  }
}
