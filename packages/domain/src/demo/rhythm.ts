/**
 * How a living demo city behaves: residents per district (so per-10,000 figures show) and when
 * problems are found — a working-day rhythm with morning and evening rush hours, a quiet night and
 * lighter weekends. Pure; the demo loop (packages/server/src/seed/demo-life.ts) samples from it.
 */
import type { Rng } from './prng.ts';

/**
 * Resident population (常住人口) of each district, Seventh National Census 2020 (上海市第七次全国
 * 人口普查主要数据公报, rounded to the hundred). The demo writes them into `areas.population`.
 */
export const districtResidents: Readonly<Record<string, number>> = {
  '310101': 662_000, // 黄浦区
  '310104': 1_113_100, // 徐汇区
  '310105': 693_100, // 长宁区
  '310106': 975_700, // 静安区
  '310107': 1_239_800, // 普陀区
  '310109': 757_500, // 虹口区
  '310110': 1_242_500, // 杨浦区
  '310112': 2_653_500, // 闵行区
  '310113': 2_235_200, // 宝山区
  '310114': 1_834_300, // 嘉定区
  '310115': 5_681_500, // 浦东新区
  '310116': 822_800, // 金山区
  '310117': 1_909_700, // 松江区
  '310118': 1_270_800, // 青浦区
  '310120': 1_140_900, // 奉贤区
  '310151': 637_900, // 崇明区
};

/** Relative share of a day's reports in each Shanghai hour 0–23: rush hours high, night quiet. */
export const hourlyWeights: readonly number[] = [
  0.15, 0.1, 0.08, 0.08, 0.1, 0.25, 0.6, 1.3, 2.0, 2.2, 1.8, 1.5, 1.1, 1.2, 1.5, 1.6, 1.8, 2.0, 1.7, 1.2, 0.9,
  0.7, 0.45, 0.25,
];

/** Weekday factor, Sunday first (inspectors patrol less, the public reports a little more). */
export const weekdayFactors: readonly number[] = [0.62, 1.05, 1.0, 1.0, 1.0, 1.02, 0.7];

const shanghaiMs = 8 * 3_600_000;
/** Hour of day and day of week in Shanghai. */
export function shanghaiClock(t: Date): { hour: number; weekday: number } {
  const s = new Date(t.getTime() + shanghaiMs);
  return { hour: s.getUTCHours(), weekday: s.getUTCDay() };
}

/** How busy this moment is compared with an average hour (1): hour of day × day of week. */
export function busyness(t: Date): number {
  const { hour, weekday } = shanghaiClock(t);
  const mean = hourlyWeights.reduce((a, b) => a + b, 0) / 24;
  return ((hourlyWeights[hour] ?? 1) / mean) * (weekdayFactors[weekday] ?? 1);
}

/**
 * Reports a district finds on an average day: a base that grows with its residents (more people,
 * more streets, more problems, but less than in proportion). Tuned light: the embedded database
 * builds the history on first start.
 */
export function reportsPerDay(residents: number, base = 1, perMillion = 1): number {
  return base + perMillion * (residents / 1_000_000) ** 0.85;
}

/**
 * When the reports of `days` days before `end` were made: per day the mean `perDay` × the day of
 * week × a day-to-day swing of ±30 % (weather, campaigns), each at an hour drawn by the hourly
 * rhythm; sorted, none after `end`. No two days are alike.
 */
export function historyMoments(end: Date, days: number, perDay: number, rng: Rng): Date[] {
  const out: Date[] = [];
  const today = shanghaiMidnight(end);
  for (let d = days; d >= 0; d--) {
    const start = new Date(today.getTime() - d * 86_400_000);
    const { weekday } = shanghaiClock(new Date(start.getTime() + 12 * 3_600_000));
    const n = Math.round(perDay * (weekdayFactors[weekday] ?? 1) * (0.7 + rng.next() * 0.6));
    for (let i = 0; i < n; i++) {
      const t = momentInDay(start, rng);
      if (t < end && t.getTime() >= end.getTime() - days * 86_400_000) out.push(t);
    }
  }
  return out.sort((a, b) => a.getTime() - b.getTime());
}

/** A moment within the Shanghai day starting at `dayStart` (00:00 Shanghai), drawn by hourly weight. */
export function momentInDay(dayStart: Date, rng: Rng): Date {
  const total = hourlyWeights.reduce((a, b) => a + b, 0);
  let x = rng.next() * total;
  let hour = 0;
  for (; hour < 23; hour++) {
    x -= hourlyWeights[hour] ?? 0;
    if (x <= 0) break;
  }
  return new Date(dayStart.getTime() + hour * 3_600_000 + Math.floor(rng.next() * 3_600_000));
}

/** 00:00 Shanghai of the day holding `t`. */
export function shanghaiMidnight(t: Date): Date {
  const s = t.getTime() + shanghaiMs;
  return new Date(s - (s % 86_400_000) - shanghaiMs);
}
