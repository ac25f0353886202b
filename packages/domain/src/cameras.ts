/**
 * AI cameras (视频智能识别): what a detection type means and how the automatic loop treats it —
 * 自动识别 → 自动派单 → 人力处置 → 自动结案. Data, not code: a city may tune thresholds and windows.
 *
 * - a detection below its type's confidence threshold is recorded and ignored;
 * - the same camera and type within `joinWindowS` of the last sighting joins the open case
 *   (a stall seen for an hour is one case);
 * - a `clear` detection, or no sighting for `clearAfterS`, ends the problem: the system checks and
 *   closes the case once the department has handled it;
 * - a sighting within `reopenWithinS` of the system closing the case reopens it.
 */
export interface CameraTypeRule {
  zh: string;
  en: string;
  /** Event category (matter code) the case takes. */
  category: string;
  urgency: 'normal' | 'urgent';
  minConfidence: number;
  joinWindowS: number;
  clearAfterS: number;
  reopenWithinS: number;
}

export const cameraTypeRules = {
  'street-vendor': {
    zh: '占道经营',
    en: 'Street vending',
    category: '09006',
    urgency: 'normal',
    minConfidence: 0.6,
    joinWindowS: 3600,
    clearAfterS: 1800,
    reopenWithinS: 7200,
  },
  garbage: {
    zh: '暴露垃圾',
    en: 'Exposed garbage',
    category: '06010',
    urgency: 'normal',
    minConfidence: 0.55,
    joinWindowS: 6 * 3600,
    clearAfterS: 3600,
    reopenWithinS: 12 * 3600,
  },
  debris: {
    zh: '乱堆杂物',
    en: 'Piled debris',
    category: '06036',
    urgency: 'normal',
    minConfidence: 0.6,
    joinWindowS: 6 * 3600,
    clearAfterS: 3600,
    reopenWithinS: 12 * 3600,
  },
  'illegal-parking': {
    zh: '机动车乱停放',
    en: 'Illegal parking',
    category: '09009',
    urgency: 'normal',
    minConfidence: 0.7,
    joinWindowS: 1800,
    clearAfterS: 900,
    reopenWithinS: 3600,
  },
  burning: {
    zh: '焚烧垃圾、树叶',
    en: 'Open burning',
    category: '06020',
    urgency: 'urgent',
    minConfidence: 0.5,
    joinWindowS: 1800,
    clearAfterS: 1800,
    reopenWithinS: 3600,
  },
  'construction-occupation': {
    zh: '施工占道',
    en: 'Construction on the road',
    category: '08002',
    urgency: 'normal',
    minConfidence: 0.65,
    joinWindowS: 12 * 3600,
    clearAfterS: 6 * 3600,
    reopenWithinS: 24 * 3600,
  },
} as const satisfies Record<string, CameraTypeRule>;

export type CameraDetectionType = keyof typeof cameraTypeRules;
export const cameraDetectionTypes = Object.keys(cameraTypeRules) as CameraDetectionType[];

export function isCameraDetectionType(v: unknown): v is CameraDetectionType {
  return typeof v === 'string' && Object.hasOwn(cameraTypeRules, v);
}

export const cameraStatuses = ['online', 'offline', 'disabled'] as const;
export type CameraStatus = (typeof cameraStatuses)[number];

/** The camera's link to its current case of one type, as the loop keeps it. */
export interface CameraLink {
  caseId: number;
  /** `open` while the problem is seen; `cleared` once it went (closing follows the handling); `closed` by the system. */
  state: 'open' | 'cleared' | 'closed' | 'released';
  lastSeenAt: Date;
  /** When the system closed the case (reopen window). */
  closedAt: Date | null;
}

export type DetectionOutcome =
  | { kind: 'below-threshold' }
  | { kind: 'open' }
  | { kind: 'join'; caseId: number }
  | { kind: 'reopen'; caseId: number }
  | { kind: 'clear'; caseId: number }
  | { kind: 'nothing-to-clear' };

/** What a detection does, given the link to the last case of its camera and type (if any). */
export function decideDetection(
  rule: CameraTypeRule,
  d: { ts: Date; confidence: number; clear: boolean },
  link: CameraLink | undefined,
): DetectionOutcome {
  if (d.clear) {
    return link && (link.state === 'open' || link.state === 'cleared')
      ? { kind: 'clear', caseId: link.caseId }
      : { kind: 'nothing-to-clear' };
  }
  if (d.confidence < rule.minConfidence) return { kind: 'below-threshold' };
  if (!link || link.state === 'released') return { kind: 'open' };
  const since = (d.ts.getTime() - link.lastSeenAt.getTime()) / 1000;
  if (link.state === 'open' && since <= rule.joinWindowS) return { kind: 'join', caseId: link.caseId };
  if (link.state === 'cleared') return { kind: 'join', caseId: link.caseId };
  if (link.state === 'closed' && link.closedAt) {
    const after = (d.ts.getTime() - link.closedAt.getTime()) / 1000;
    if (after <= rule.reopenWithinS) return { kind: 'reopen', caseId: link.caseId };
  }
  return { kind: 'open' };
}
