/**
 * The storm scenario (`onegrid simulate --scenario storm`): a rainstorm over one street. Standing-
 * water sensors along its roads report depths that rise, one after another, above the road-closure
 * threshold (27 cm, the built-in critical rule) and recede at the end; three of them alarming within
 * 30 minutes in one street is what the demo's flood plan waits for. Pure: the readings of step `s`.
 */
export interface StormSensor {
  id: string;
  name: string;
  lng: number;
  lat: number;
}

/** People's Square (人民广场, 南京东路街道), where the demo city's flood plan and pumps are. */
export const stormCentre = { lng: 121.4737, lat: 31.2304 };

/** `n` sensors on a ring of `radius`–1.5 × `radius` degrees (default ~300–450 m) around the centre. */
export function stormSensors(
  n: number,
  prefix = 'storm',
  centre = stormCentre,
  radius = 0.003,
): StormSensor[] {
  return Array.from({ length: n }, (_, i) => {
    const angle = (2 * Math.PI * i) / n + 0.3;
    const r = radius * (1 + (i % 3) / 4);
    return {
      id: `${prefix}-water-${String(i + 1).padStart(2, '0')}`,
      name: `积水监测仪 ${i + 1} 号（暴雨演示）`,
      lng: centre.lng + r * Math.cos(angle),
      lat: centre.lat + r * Math.sin(angle) * 0.85,
    };
  });
}

/**
 * Depth in centimetres of sensor `i` at step `s` of `steps`: dry until its turn (sensors flood one
 * after another over the first half), rising 4 cm a step to a peak of 30–38 cm, holding, receding
 * over the last fifth.
 */
export function stormDepth(i: number, s: number, steps: number): number {
  const start = Math.floor((i * steps) / 2 / Math.max(1, i + 3));
  const recede = Math.floor(steps * 0.8);
  const peak = 30 + ((i * 7) % 9);
  if (s < start) return 0.5;
  const rising = Math.min(peak, 6 + (s - start) * 4);
  if (s < recede) return rising;
  return Math.max(0.5, rising - (s - recede) * 8);
}

/** One telemetry message per sensor for step `s` (the MQTT payload, or an HTTP reading with `deviceId`). */
export function stormStep(sensors: readonly StormSensor[], s: number, steps: number, ts: number) {
  return sensors.map((d, i) => ({
    deviceId: d.id,
    ts,
    values: { depth: stormDepth(i, s, steps), battery: 90 },
  }));
}
