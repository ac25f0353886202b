type AreaClass = 'A' | 'B' | 'C';

/**
 * What a street holds, roughly: the demo's mix of component categories (GB/T 47678.5-2026 codes),
 * relative weights, and which kind of department owns each. Street trees and manhole covers
 * dominate real inventories; hydrants, bins and lamp posts follow.
 */
export type OwnerKind =
  | 'water' // 水务
  | 'power' // 供电
  | 'gas' // 燃气
  | 'telecom' // 通信
  | 'roads' // 市政/道路
  | 'traffic' // 交警
  | 'greening' // 绿化市容
  | 'sanitation' // 环卫
  | 'enforcement' // 城管执法
  | 'housing'; // 房管

export interface MixEntry {
  code: string;
  weight: number;
  owner: OwnerKind;
}

export const componentMix: readonly MixEntry[] = [
  { code: '04002', weight: 1500, owner: 'greening' }, // 行道树
  { code: '04011', weight: 350, owner: 'greening' }, // 树池树穴
  { code: '04004', weight: 200, owner: 'greening' }, // 护树设施
  { code: '04003', weight: 150, owner: 'greening' }, // 独立树
  { code: '04007', weight: 100, owner: 'greening' }, // 街头座椅
  { code: '04013', weight: 80, owner: 'greening' }, // 绿地
  { code: '04008', weight: 60, owner: 'greening' }, // 绿地护栏
  { code: '01003', weight: 900, owner: 'water' }, // 雨水井盖
  { code: '01004', weight: 700, owner: 'water' }, // 雨水箅子
  { code: '01002', weight: 700, owner: 'water' }, // 污水井盖
  { code: '01001', weight: 500, owner: 'water' }, // 供水井盖
  { code: '01013', weight: 200, owner: 'water' }, // 消防设施 (hydrants)
  { code: '01018', weight: 60, owner: 'water' }, // 化粪池井盖
  { code: '01007', weight: 500, owner: 'telecom' }, // 通信井盖
  { code: '01027', weight: 100, owner: 'telecom' }, // 通信交接箱
  { code: '01031', weight: 150, owner: 'telecom' }, // 通信立杆
  { code: '01005', weight: 300, owner: 'power' }, // 电力井盖
  { code: '01017', weight: 100, owner: 'power' }, // 电缆井盖
  { code: '01030', weight: 150, owner: 'power' }, // 电力立杆
  { code: '01048', weight: 60, owner: 'power' }, // 变压器（箱）
  { code: '01054', weight: 50, owner: 'power' }, // 充电桩
  { code: '01011', weight: 250, owner: 'gas' }, // 燃气井盖
  { code: '01049', weight: 15, owner: 'gas' }, // 燃气调压站（箱）
  { code: '01037', weight: 700, owner: 'roads' }, // 路灯
  { code: '01006', weight: 200, owner: 'roads' }, // 路灯井盖
  { code: '01060', weight: 60, owner: 'roads' }, // 路灯配电箱
  { code: '01077', weight: 100, owner: 'roads' }, // 综合杆
  { code: '01023', weight: 50, owner: 'roads' }, // 不明井盖
  { code: '02021', weight: 400, owner: 'roads' }, // 便道桩
  { code: '02012', weight: 120, owner: 'roads' }, // 路名牌
  { code: '02004', weight: 60, owner: 'roads' }, // 公交站设施
  { code: '02010', weight: 350, owner: 'traffic' }, // 交通标志牌及标线
  { code: '02017', weight: 300, owner: 'traffic' }, // 交通护栏
  { code: '02014', weight: 80, owner: 'traffic' }, // 交通信号灯
  { code: '01050', weight: 150, owner: 'traffic' }, // 监控电子眼设施
  { code: '02027', weight: 100, owner: 'traffic' }, // 存车支架
  { code: '02025', weight: 100, owner: 'traffic' }, // 非机动车停放点
  { code: '03005', weight: 500, owner: 'sanitation' }, // 垃圾箱
  { code: '03016', weight: 30, owner: 'sanitation' }, // 烟头收集器或灭烟处
  { code: '03001', weight: 10, owner: 'sanitation' }, // 公共厕所
  { code: '03006', weight: 80, owner: 'enforcement' }, // 户外广告
  { code: '03007', weight: 200, owner: 'enforcement' }, // 牌匾标识
  { code: '03008', weight: 40, owner: 'enforcement' }, // 宣传栏
  { code: '01059', weight: 40, owner: 'sanitation' }, // 旧衣物回收箱
  { code: '01075', weight: 40, owner: 'housing' }, // 快递柜
  { code: '02038', weight: 200, owner: 'housing' }, // 门（楼号）牌
  { code: '01065', weight: 60, owner: 'housing' }, // 管理责任公示牌
];

/**
 * Components per km² by area class, calibrated on the demo city: ~100k for 黄浦区 (all class A)
 * and ~13.5 million for the whole city (A ≈ 230 km², B ≈ 4,600 km², C ≈ 3,150 km² of communities).
 */
export const componentDensityPerKm2: Record<AreaClass, number> = { A: 5_000, B: 2_200, C: 700 };

/** Status shares: most of a real inventory is intact. */
export const componentStatusMix = [
  { status: 'intact', weight: 9_500 },
  { status: 'damaged', weight: 300 },
  { status: 'missing', weight: 80 },
  { status: 'abandoned', weight: 60 },
  { status: 'removed', weight: 60 },
] as const;

/**
 * Cumulative ranges over [0, 10000) for picking by a uniform integer in SQL: entry i is chosen
 * when lo ≤ r < hi.
 */
export function cumulativeRanges<T extends { weight: number }>(
  entries: readonly T[],
): Array<T & { lo: number; hi: number }> {
  const total = entries.reduce((s, e) => s + e.weight, 0);
  let acc = 0;
  return entries.map((e, i) => {
    const lo = Math.round((acc * 10_000) / total);
    acc += e.weight;
    const hi = i === entries.length - 1 ? 10_000 : Math.round((acc * 10_000) / total);
    return { ...e, lo, hi };
  });
}
