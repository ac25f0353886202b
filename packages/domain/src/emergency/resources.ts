/** 应急资源: teams, vehicles, pumps, stockpiles, experts, shelters; each with a location and status. */
export const resourceKinds = ['team', 'vehicle', 'pump', 'stockpile', 'expert', 'shelter'] as const;
export type ResourceKind = (typeof resourceKinds)[number];
export const resourceKindNames: Record<ResourceKind, { zh: string; en: string }> = {
  team: { zh: '救援队伍', en: 'Team' },
  vehicle: { zh: '应急车辆', en: 'Vehicle' },
  pump: { zh: '排涝泵车', en: 'Pump' },
  stockpile: { zh: '物资储备点', en: 'Stockpile' },
  expert: { zh: '应急专家', en: 'Expert' },
  shelter: { zh: '避难场所', en: 'Shelter' },
};

/** Available → dispatched to an incident → back to available when released; or out of service. */
export const resourceStatuses = ['available', 'dispatched', 'unavailable'] as const;
export type ResourceStatus = (typeof resourceStatuses)[number];
export const resourceStatusNames: Record<ResourceStatus, { zh: string; en: string }> = {
  available: { zh: '可调用', en: 'Available' },
  dispatched: { zh: '已调派', en: 'Dispatched' },
  unavailable: { zh: '不可用', en: 'Unavailable' },
};

/** Kinds that stay where they are (a stockpile or shelter is drawn on, not sent). */
export const stationaryKinds: readonly ResourceKind[] = ['stockpile', 'shelter'];
