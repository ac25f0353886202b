/**
 * This level's figures for the platform above (每级向上报送): case counts, the vital signs of its
 * area and a few assessment figures, so the city's command screen and assessment cover districts
 * that run their own instance.
 */
import type { Db } from '../db/db.ts';

export interface FiguresDeps {
  db: Db;
  clock: () => Date;
  /** The vital signs of an area as indicator → value and level (the live snapshot). */
  vitals?: (
    areaCode: string,
  ) => Promise<{ overall: string | null; values: Record<string, unknown> } | undefined>;
}

export async function collectFigures({ db, clock, vitals }: FiguresDeps, areaCode: string) {
  const now = clock();
  const since = new Date(now.getTime() - 30 * 86_400_000);
  const r = await db.query<{
    open: number;
    overdue: number;
    reported30: number;
    closed30: number;
    closedOnTime30: number;
    handedUp: number;
  }>(
    `SELECT
       count(*) FILTER (WHERE status NOT IN ('closed', 'rejected', 'merged'))::int AS open,
       count(*) FILTER (WHERE status NOT IN ('closed', 'rejected', 'merged') AND due_at < $3)::int AS overdue,
       count(*) FILTER (WHERE created_at >= $2)::int AS "reported30",
       count(*) FILTER (WHERE closed_at >= $2)::int AS "closed30",
       count(*) FILTER (WHERE closed_at >= $2 AND close_type = 'normal')::int AS "closedOnTime30",
       count(*) FILTER (WHERE status = 'handed-up')::int AS "handedUp"
     FROM cases WHERE area_code LIKE $1 || '%'`,
    [areaCode, since, now],
  );
  const c = r.rows[0]!;
  const byStatus = await db.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM cases WHERE area_code LIKE $1 || '%' GROUP BY status ORDER BY status`,
    [areaCode],
  );
  return {
    areaCode,
    at: now.toISOString(),
    cases: {
      open: c.open,
      overdue: c.overdue,
      handedUp: c.handedUp,
      byStatus: Object.fromEntries(byStatus.rows.map((x) => [x.status, x.n])),
    },
    assessment: {
      periodDays: 30,
      reported: c.reported30,
      closed: c.closed30,
      closedOnTimeRate: c.closed30 ? c.closedOnTime30 / c.closed30 : null,
    },
    vitals: (await vitals?.(areaCode).catch(() => undefined)) ?? null,
  };
}
