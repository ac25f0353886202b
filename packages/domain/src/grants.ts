/**
 * What a service account (a machine: another platform, the 12345 system, cameras, a data
 * consumer) may use, and how much personal data it may see. Kept once here, next to policy.ts:
 * the server's access gate, its schemas and the web admin's 服务账号 tab all read these lists
 * (CONTRACTS.md "Service accounts, sharing, webhooks"; docs/sharing.md).
 */
import { type DatasetId, datasetIds } from './catalog.ts';
import type { DataClass } from './privacy.ts';

/** Channels a machine may be granted, besides datasets (`share:<dataset>`). */
export const channelGrants = ['hotline', 'cameras', 'open311', 'federation'] as const;
export type ChannelGrant = (typeof channelGrants)[number];
export type ShareGrant = `share:${DatasetId}`;
export type Grant = ChannelGrant | ShareGrant;
/** What a route asks of a service account: a channel, or `share` (any dataset; the route checks which). */
export type GrantKind = ChannelGrant | 'share';

/** Every grant there is, channels first. */
export const grants: readonly Grant[] = [
  ...channelGrants,
  ...datasetIds.map((d) => `share:${d}` as ShareGrant),
];

export function isGrant(value: unknown): value is Grant {
  return typeof value === 'string' && (grants as readonly string[]).includes(value);
}

/** Whether `held` covers what a route asks for (`share` is covered by any `share:<dataset>`). */
export function hasGrant(held: readonly string[], wanted: GrantKind | Grant): boolean {
  if (wanted === 'share') return held.some((g) => g.startsWith('share:'));
  return held.includes(wanted);
}

export const grantNames: Record<ChannelGrant | 'share', { zh: string; en: string }> = {
  hotline: { zh: '12345 热线', en: '12345 hotline' },
  cameras: { zh: '视频智能发现', en: 'Cameras' },
  open311: { zh: 'Open311 报事', en: 'Open311 reporting' },
  federation: { zh: '平台互联', en: 'Federation' },
  share: { zh: '数据共享', en: 'Data sharing' },
};

/** How much of a dataset a machine sees: fields up to its clearance, the rest masked or left out. */
export const clearances = ['public', 'internal', 'sensitive'] as const;
export type Clearance = (typeof clearances)[number];

export const clearanceNames: Record<Clearance, { zh: string; en: string }> = {
  public: { zh: '公开', en: 'Public' },
  internal: { zh: '内部', en: 'Internal' },
  sensitive: { zh: '敏感', en: 'Sensitive' },
};

export function isClearance(value: unknown): value is Clearance {
  return typeof value === 'string' && (clearances as readonly string[]).includes(value);
}

/** public < internal < sensitive; `secret` fields never leave, whatever the clearance. */
export function clearanceAllows(clearance: Clearance, fieldClass: DataClass): boolean {
  if (fieldClass === 'secret') return false;
  return clearances.indexOf(clearance) >= clearances.indexOf(fieldClass as Clearance);
}
