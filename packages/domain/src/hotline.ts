/**
 * The 12345 hotline (市民服务热线) as a channel: orders in, status back, 回访 results in.
 * Status events the hotline system subscribes to (webhooks): 受理, 退单 with reason, 延期,
 * 办结 with result and photos.
 */
export const hotlineEvents = {
  'hotline.accepted': { zh: '受理', en: 'Accepted' },
  'hotline.returned': { zh: '退单', en: 'Returned' },
  'hotline.extended': { zh: '延期', en: 'Extended' },
  'hotline.finished': { zh: '办结', en: 'Finished' },
} as const;
export type HotlineEvent = keyof typeof hotlineEvents;

export const visitResults = ['satisfied', 'basically', 'unsatisfied'] as const;
export type VisitResult = (typeof visitResults)[number];
export const visitResultNames: Readonly<Record<VisitResult, { zh: string; en: string }>> = {
  satisfied: { zh: '满意', en: 'Satisfied' },
  basically: { zh: '基本满意', en: 'Basically satisfied' },
  unsatisfied: { zh: '不满意', en: 'Unsatisfied' },
};

/**
 * 满意率 as 12345 assessments count it: satisfied and basically satisfied over all visits
 * (null without a visit: no data, not 0 %).
 */
export function satisfactionRate(counts: Partial<Record<VisitResult, number>>): number | null {
  const s = counts.satisfied ?? 0;
  const b = counts.basically ?? 0;
  const u = counts.unsatisfied ?? 0;
  const total = s + b + u;
  return total === 0 ? null : (s + b) / total;
}

/** Which case action sends which status back to the hotline. */
export function hotlineEventOf(action: string): HotlineEvent | undefined {
  switch (action) {
    case 'accept':
      return 'hotline.accepted';
    case 'reject':
      return 'hotline.returned';
    case 'approve-extension':
      return 'hotline.extended';
    case 'close':
      return 'hotline.finished';
    default:
      return undefined;
  }
}
