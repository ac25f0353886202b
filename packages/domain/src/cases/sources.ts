/**
 * Where a case comes from, and what that changes. Machine sources (IoT alarms, AI cameras) run
 * the automatic loop — 自动识别、自动派单、人力处置、自动结案 — while reports from the public are
 * verified on site (核实) before they are filed. The policy is data: a city may override it.
 */
export const caseSources = [
  'inspector',
  'public',
  'hotline',
  'iot',
  'camera',
  'department',
  'leader',
  'higher-platform',
  'lower-platform',
  'open311',
] as const;
export type CaseSource = (typeof caseSources)[number];

export function isCaseSource(value: unknown): value is CaseSource {
  return typeof value === 'string' && (caseSources as readonly string[]).includes(value);
}

export interface SourcePolicy {
  readonly zh: string;
  /** Found by a machine rather than a person. */
  readonly machine: boolean;
  /** Counts as a report from the public in assessment (public-report and missed-report rates). */
  readonly publicReport: boolean;
  /** The source it is counted as in assessment (Open311 counts as public). */
  readonly assessedAs: CaseSource;
  /** An inspector must verify the report on site (verify-report → confirm-report) before `accept`. */
  readonly verifyBeforeAccept: boolean;
  /**
   * When it must be verified first, an operator may still file it without waiting (直接立案), giving
   * a reason that the timeline keeps (`accept` with `reason`): a report whose photos leave no doubt,
   * or an urgent hazard that cannot wait for an inspector.
   */
  readonly directFiling: boolean;
  /** The system may file the case without a person (`accept` by the system actor). */
  readonly autoAccept: boolean;
  /** The system may dispatch to the matrix's department (`auto-dispatch` by the system actor). */
  readonly autoDispatch: boolean;
  /** The system may check and close when the device recovers (`verify`/`close` by the system). */
  readonly autoClose: boolean;
  /** A duplicate from this source is merged without a person (see `autoMergeTarget`). */
  readonly autoMerge: boolean;
  /** The reporting inspector may fix it on the spot (`self-handle`, 自处理). */
  readonly selfHandle: boolean;
}

const person = {
  machine: false,
  publicReport: false,
  verifyBeforeAccept: false,
  directFiling: false,
  autoAccept: false,
  autoDispatch: false,
  autoClose: false,
  autoMerge: false,
  selfHandle: false,
} as const;

const machine = {
  machine: true,
  publicReport: false,
  verifyBeforeAccept: false,
  directFiling: false,
  autoAccept: true,
  autoDispatch: true,
  autoClose: true,
  autoMerge: true,
  selfHandle: false,
} as const;

export const defaultSourcePolicies: Readonly<Record<CaseSource, SourcePolicy>> = {
  inspector: { ...person, zh: '监督员采集', assessedAs: 'inspector', selfHandle: true },
  public: {
    ...person,
    zh: '公众举报',
    assessedAs: 'public',
    publicReport: true,
    verifyBeforeAccept: true,
    directFiling: true,
  },
  hotline: {
    ...person,
    zh: '12345 热线',
    assessedAs: 'hotline',
    publicReport: true,
    verifyBeforeAccept: true,
    directFiling: true,
  },
  iot: { ...machine, zh: '物联感知', assessedAs: 'iot' },
  camera: { ...machine, zh: '视频智能识别', assessedAs: 'camera' },
  department: { ...person, zh: '部门上报', assessedAs: 'department' },
  leader: { ...person, zh: '领导交办', assessedAs: 'leader' },
  'higher-platform': { ...person, zh: '上级平台下派', assessedAs: 'higher-platform' },
  /** Handed up (上报) by a district's or street's own instance over the federation exchange. */
  'lower-platform': { ...person, zh: '下级平台上报', assessedAs: 'lower-platform' },
  open311: {
    ...person,
    zh: 'Open311 应用',
    assessedAs: 'public',
    publicReport: true,
    verifyBeforeAccept: true,
    directFiling: true,
  },
};
