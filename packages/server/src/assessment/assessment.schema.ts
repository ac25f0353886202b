import { assessmentLevels } from '@onegrid/domain';
import { type Static, Type } from '@sinclair/typebox';

const Level = Type.Union(
  assessmentLevels.map((l) => Type.Literal(l)),
  {
    description:
      'inspector | operator | shiftLead | dispatcher | department | grid | community | street | district',
  },
);
const Instant = Type.String({
  description: 'ISO date-time or date (YYYY-MM-DD = midnight in Shanghai, UTC+8)',
  pattern: '^\\d{4}-\\d{2}-\\d{2}([T ].+)?$',
});

export const PeriodQuery = {
  from: Instant,
  to: Type.String({ ...Instant, description: 'exclusive end' }),
  level: Level,
  area: Type.Optional(
    Type.String({ pattern: '^\\d{4,15}$', description: 'narrow to this area (inside your scope)' }),
  ),
};
export const AssessmentQuery = Type.Object({
  ...PeriodQuery,
  compare: Type.Optional(
    Type.Union([Type.Literal('previous'), Type.Literal('lastYear'), Type.Literal('both')], {
      description:
        'previous: the period before (a calendar month → the month before); lastYear: the same period a year earlier; both: the two at once',
    }),
  ),
});
export type AssessmentQuery = Static<typeof AssessmentQuery>;

const Counters = Type.Record(Type.String(), Type.Number());
const Rates = Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()]));
const Score = Type.Union([Type.Number(), Type.Null()]);
const aspectProps = {
  aspects: Type.Object(
    { discovery: Score, command: Score, supervision: Score, mechanism: Score },
    { description: '发现与监督 / 指挥与协调 / 综合监督 / 运行机制, 0–100' },
  ),
  indicators: Type.Record(Type.String(), Score, { description: 'the indicators behind the aspects, 0–100' }),
  score: Score,
  grade: Type.Union([Type.String(), Type.Null()]),
};
const Aspects = Type.Object(aspectProps, { $id: 'AssessmentAspects' });
const AspectsRef = Type.Union([Type.Ref('AssessmentAspects'), Type.Null()]);
const Delta = Type.Union([
  Type.Object({
    score: Score,
    rank: Type.Union([Type.Integer(), Type.Null()], { description: 'places moved up (previous − now)' }),
    rates: Rates,
    aspects: Type.Optional(Type.Record(Type.String(), Score)),
  }),
  Type.Null(),
]);
const Figures = {
  counters: Counters,
  rates: Rates,
  parts: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()]), {
    description: 'component scores 0–100 (null: nothing to judge, left out with weights renormalised)',
  }),
  score: Type.Union([Type.Number(), Type.Null()]),
  grade: Type.Union([Type.String(), Type.Null()]),
  rank: Type.Union([Type.Integer(), Type.Null()]),
  aspects: Type.Optional(AspectsRef),
};

export { Aspects as AspectsSchema };
export const AssessmentReportSchema = Type.Object(
  {
    level: Type.String(),
    from: Type.String(),
    to: Type.String(),
    scope: Type.String(),
    compare: Type.Union([Type.String(), Type.Null()]),
    previousFrom: Type.Union([Type.String(), Type.Null()]),
    previousTo: Type.Union([Type.String(), Type.Null()]),
    lastYearFrom: Type.Union([Type.String(), Type.Null()]),
    lastYearTo: Type.Union([Type.String(), Type.Null()]),
    summary: Type.Union(
      [Type.Object({ ...aspectProps, previous: AspectsRef, lastYear: AspectsRef }), Type.Null()],
      { description: 'the four aspects over the whole scope (area levels; null for people and departments)' },
    ),
    gradeColours: Type.Record(Type.String(), Type.String()),
    rows: Type.Array(
      Type.Object({
        subject: Type.String(),
        name: Type.String(),
        ...Figures,
        previous: Type.Optional(Type.Union([Type.Object(Figures), Type.Null()])),
        delta: Type.Optional(Delta),
        lastYear: Type.Optional(Type.Union([Type.Object(Figures), Type.Null()])),
        lastYearDelta: Type.Optional(Delta),
      }),
    ),
  },
  { $id: 'AssessmentReport' },
);

export const DrillQuery = Type.Object({
  ...PeriodQuery,
  subject: Type.String({ minLength: 1, description: 'the row subject (user id, department or area code)' }),
  indicator: Type.String({ minLength: 1, description: 'a counter name of the level, e.g. filed, reworks' }),
});
export const CaseRefSchema = Type.Object({
  id: Type.Integer(),
  number: Type.String(),
  status: Type.String(),
  category: Type.String(),
  areaCode: Type.String(),
  at: Type.Union([Type.String(), Type.Null()], { description: 'when the counted step happened' }),
});

export const SpotCheckSchema = Type.Object(
  {
    id: Type.Integer(),
    unitGridCode: Type.String(),
    inspectorId: Type.Union([Type.Integer(), Type.Null()]),
    inspectorName: Type.Union([Type.String(), Type.Null()]),
    from: Type.String(),
    to: Type.String(),
    seed: Type.String(),
    status: Type.Union([Type.Literal('open'), Type.Literal('found'), Type.Literal('clean')]),
    foundCaseId: Type.Union([Type.Integer(), Type.Null()]),
    createdAt: Type.String(),
    resultAt: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'SpotCheck' },
);
export const DrawBody = Type.Object(
  {
    from: Instant,
    to: Instant,
    sampleSize: Type.Integer({ minimum: 1, maximum: 1000 }),
    seed: Type.String({ minLength: 1, maxLength: 100 }),
    area: Type.Optional(Type.String({ pattern: '^\\d{4,15}$' })),
  },
  { additionalProperties: false },
);
export const ResultBody = Type.Object(
  { found: Type.Boolean(), caseId: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);
