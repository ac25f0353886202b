/**
 * Default deadline policy (configurable defaults, not a standard). Local examples from DOMAIN.md
 * apply to normal urgency; an urgent case of those categories falls back to the urgent default
 * (4 working hours), which is tighter. Cities append their own rows; the most specific row wins.
 */
import { type DeadlineRule, natural, working } from './deadlines.ts';

/** GB/T 47678.5-2026 manhole-cover component codes (01xxx 井盖); their matters share the codes. */
export const manholeCoverCategories = [
  '01001',
  '01002',
  '01003',
  '01005',
  '01006',
  '01007',
  '01008',
  '01009',
  '01010',
  '01011',
  '01012',
  '01014',
  '01015',
  '01017',
  '01018',
  '01019',
  '01020',
  '01021',
  '01022',
  '01023',
] as const;

const onSite = natural(30, 'minutes');

export const defaultDeadlineRules: readonly DeadlineRule[] = [
  {
    category: '*',
    urgency: 'normal',
    note: '默认（一般）',
    limits: {
      'verify-report': natural(30, 'minutes'),
      filing: natural(60, 'minutes'),
      dispatch: natural(30, 'minutes'),
      handling: working(3, 'days'),
      check: natural(30, 'minutes'),
    },
  },
  {
    category: '*',
    urgency: 'urgent',
    note: '默认（紧急）',
    limits: {
      'verify-report': natural(30, 'minutes'),
      filing: natural(15, 'minutes'),
      dispatch: natural(10, 'minutes'),
      handling: working(4, 'hours'),
      check: natural(30, 'minutes'),
    },
  },
  { category: '06010', urgency: 'normal', note: '暴露垃圾', limits: { handling: working(1, 'days') } },
  { category: '06011', urgency: 'normal', note: '积存垃圾渣土', limits: { handling: working(4, 'days') } },
  { category: '06012', urgency: 'normal', note: '道路不洁', limits: { handling: working(5, 'hours') } },
  { category: '06025', urgency: 'normal', note: '水域不洁', limits: { handling: working(15, 'days') } },
  { category: '06001', urgency: 'normal', note: '私搭乱建', limits: { handling: working(15, 'days') } },
  { category: '08016', urgency: 'normal', note: '无证建设', limits: { handling: working(15, 'days') } },
  ...manholeCoverCategories.map(
    (category): DeadlineRule => ({
      category,
      note: '井盖缺失、破损：30 分钟到场，6 小时内消除危险',
      limits: { response: onSite, handling: natural(6, 'hours') },
    }),
  ),
];
