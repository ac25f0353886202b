/**
 * Readings as Shanghai's device kinds produce them, with incidents that the built-in rules turn
 * into alarms: a rain event floods an underpass, a manhole cover is lifted, a pollution episode,
 * a cracked curtain-wall panel, a dead street lamp, a fire. Pure apart from the random source.
 */
export type Kind =
  | 'water-depth'
  | 'manhole-cover'
  | 'air-quality'
  | 'curtain-wall'
  | 'street-light'
  | 'smoke';
export const kinds: readonly Kind[] = [
  'water-depth',
  'manhole-cover',
  'air-quality',
  'curtain-wall',
  'street-light',
  'smoke',
];

/** What a person reads for each kind (device names in the demo city). */
export const kindNames: Readonly<Record<Kind, string>> = {
  'water-depth': '积水监测仪',
  'manhole-cover': '智能井盖',
  'air-quality': '空气质量监测站',
  'curtain-wall': '幕墙倾斜监测仪',
  'street-light': '智慧路灯',
  smoke: '烟感探测器',
};

export type Values = Record<string, number | boolean>;

export interface SimDevice {
  id: string;
  kind: Kind;
  /** Slowly drifting per-device baseline, so devices differ. */
  bias: number;
  battery: number;
  /** Current incident: until when (epoch ms) and how far along it is. */
  incident: { start: number; end: number } | null;
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** HJ 633 individual AQI from a 24-h PM2.5 concentration (µg/m³). */
export function aqiOfPm25(c: number): number {
  const bp: Array<[number, number, number, number]> = [
    [0, 35, 0, 50],
    [35, 75, 50, 100],
    [75, 115, 100, 150],
    [115, 150, 150, 200],
    [150, 250, 200, 300],
    [250, 350, 300, 400],
    [350, 500, 400, 500],
  ];
  for (const [cl, ch, il, ih] of bp) if (c <= ch) return Math.round(((ih - il) / (ch - cl)) * (c - cl) + il);
  return 500;
}

/** Hour of day in Shanghai (UTC+8), for lamps and the daily pollution cycle. */
const shanghaiHour = (t: number) => (((t / 3_600_000 + 8) % 24) + 24) % 24;

/** Incidents last long enough for the default rules (e.g. 5 minutes of standing water). */
export function incidentLength(kind: Kind, random: () => number): number {
  const minutes = kind === 'water-depth' || kind === 'air-quality' ? 8 + random() * 12 : 2 + random() * 6;
  return Math.round(minutes * 60_000);
}

export function readingOf(d: SimDevice, now: number, random: () => number): Values {
  const noise = (scale: number) => (random() - 0.5) * 2 * scale;
  const inc = d.incident && now < d.incident.end ? d.incident : null;
  // 0 → 1 → 0 over an incident: rises for the first third, holds, recedes in the last third.
  const phase = inc
    ? Math.min(
        1,
        (now - inc.start) / ((inc.end - inc.start) / 3),
        (inc.end - now) / ((inc.end - inc.start) / 3),
      )
    : 0;
  d.battery = Math.max(5, d.battery - 0.0005);
  switch (d.kind) {
    case 'water-depth':
      return {
        depth: round(clamp(phase * (30 + d.bias * 10) + Math.abs(noise(0.3)), 0, 500)),
        battery: round(d.battery),
      };
    case 'manhole-cover':
      return inc
        ? { tilt: round(25 + noise(5)), open: true, battery: round(d.battery) }
        : { tilt: round(clamp(1 + d.bias + noise(0.5), 0, 180)), open: false, battery: round(d.battery) };
    case 'air-quality': {
      const daily = 15 * Math.sin(((shanghaiHour(now) - 8) / 24) * 2 * Math.PI);
      const pm25 = round(clamp(40 + 20 * d.bias + daily + phase * 150 + noise(5), 1, 2000));
      return { pm25, pm10: round(clamp(pm25 * 1.6 + noise(8), 1, 3000)), aqi: aqiOfPm25(pm25) };
    }
    case 'curtain-wall':
      return inc
        ? { vibration: round(30 + noise(10), 2), broken: true }
        : { vibration: round(clamp(0.5 + noise(0.4), 0, 200), 2), broken: false };
    case 'street-light': {
      const h = shanghaiHour(now);
      const on = h >= 18 || h < 6;
      const current = on && !inc ? round(0.9 + 0.1 * d.bias + noise(0.05), 2) : 0;
      return { on: on || inc !== null, current };
    }
    case 'smoke':
      return inc
        ? { smoke: true, obscuration: round(15 + noise(4)), battery: round(d.battery) }
        : { smoke: false, obscuration: round(clamp(0.3 + noise(0.3), 0, 100)), battery: round(d.battery) };
  }
}

/** Starts an incident with probability `p` per reading when none is running. */
export function maybeStartIncident(d: SimDevice, now: number, p: number, random: () => number): boolean {
  if (d.incident && now < d.incident.end) return false;
  d.incident = null;
  if (random() >= p) return false;
  d.incident = { start: now, end: now + incidentLength(d.kind, random) };
  return true;
}

/** A seeded generator (mulberry32) so a run can be repeated. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
