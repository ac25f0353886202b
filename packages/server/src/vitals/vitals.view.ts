/**
 * What `GET /api/v1/vitals` answers: one area's indicators and its children's values, cut from
 * the in-memory snapshot. A caller sees their scope as "the city".
 */
import { thresholdsAt } from '@onegrid/domain';
import type { Principal } from '../auth/auth.service.ts';
import { AppError } from '../errors.ts';
import type { VitalsSnapshot } from './vitals.service.ts';

/** The area asked for (default: the caller's scope), which must exist and lie in the scope. */
export function resolveArea(s: VitalsSnapshot, p: Principal, area: string | undefined): string {
  const code = area ?? p.scopeCode;
  if (!code.startsWith(p.scopeCode))
    throw new AppError('forbidden', `Area ${code} is outside your scope (${p.scopeCode})`);
  if (!s.areas.has(code)) {
    throw new AppError(
      'not_found',
      area ? `Area ${code} not found` : `Your scope ${code} is not an area: pass ?area=`,
    );
  }
  return code;
}

export function vitalsView(s: VitalsSnapshot, code: string) {
  const area = s.areas.get(code)!;
  const values = s.values.get(code);
  return {
    computedAt: s.computedAt.toISOString(),
    area: { code, name: area.name, level: s.overall.get(code) ?? null },
    indicators: s.definitions.map((d) => {
      const v = values?.get(d.id);
      const t = thresholdsAt(d, area.level);
      return {
        id: d.id,
        name: { zh: d.name.zh, en: d.name.en },
        unit: d.unit,
        value: v?.value ?? null,
        level: v?.level ?? null,
        thresholds: { yellow: t.yellow, orange: t.orange, red: t.red },
        higherIsWorse: d.higherIsWorse,
      };
    }),
    children: (s.children.get(code) ?? []).map((c) => {
      const m = s.values.get(c);
      return {
        code: c,
        name: s.areas.get(c)?.name ?? c,
        level: s.overall.get(c) ?? null,
        values: Object.fromEntries(
          s.definitions.map((d) => {
            const v = m?.get(d.id);
            return [d.id, { value: v?.value ?? null, level: v?.level ?? null }];
          }),
        ),
      };
    }),
  };
}
