/**
 * What a city configures about the loop — working calendar, deadline rules, auto-dispatch
 * categories — kept in `loop_settings`, read at boot and after every change, so an
 * administrator's edit takes effect without a restart. Missing keys fall back to the domain's
 * defaults.
 */
import {
  type AreaLayer,
  type AreaSettings,
  type CaseRulesConfig,
  configForArea,
  defaultCaseConfig,
  ownsArea,
  type SettingOrigins,
} from '@onegrid/domain';
import { type Static, Type } from '@sinclair/typebox';
import { audit, changes } from '../audit/audit.ts';
import type { Db } from '../db/db.ts';
import { forbidden } from '../errors.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';

const Hhmm = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' });
const DateOrRange = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}(\\.\\.\\d{4}-\\d{2}-\\d{2})?$' });
const Limit = Type.Object({
  amount: Type.Number({ exclusiveMinimum: 0 }),
  unit: Type.Union([Type.Literal('minutes'), Type.Literal('hours'), Type.Literal('days')]),
  basis: Type.Union([Type.Literal('natural'), Type.Literal('working')]),
});

export const LoopSettingsSchema = Type.Object(
  {
    calendar: Type.Object({
      utcOffsetMinutes: Type.Integer({ minimum: -720, maximum: 840 }),
      workHours: Type.Array(Type.Object({ start: Hhmm, end: Hhmm }), { minItems: 1 }),
      weekendDays: Type.Array(Type.Integer({ minimum: 0, maximum: 6 })),
      holidays: Type.Array(DateOrRange),
      workdays: Type.Array(DateOrRange),
    }),
    deadlineRules: Type.Array(
      Type.Object({
        category: Type.String({ pattern: '^(\\d{5}|\\d{2}|\\*)$' }),
        urgency: Type.Optional(Type.Union([Type.Literal('urgent'), Type.Literal('normal')])),
        areaClass: Type.Optional(Type.Union([Type.Literal('A'), Type.Literal('B'), Type.Literal('C')])),
        limits: Type.Record(Type.String(), Limit),
        note: Type.Optional(Type.String()),
      }),
    ),
    autoDispatchCategories: Type.Array(Type.String({ pattern: '^(\\d{5}|\\d{2})$' })),
  },
  { $id: 'LoopSettings' },
);
type LoopSettings = Static<typeof LoopSettingsSchema>;

export interface LoopConfig {
  /** The configuration in force in `areaCode` (the city's without one). */
  get(areaCode?: string): CaseRulesConfig;
  /** Where each key in force in `areaCode` comes from (`city` or an area code). */
  origins(areaCode: string): SettingOrigins;
  /** The areas' own settings (district and street overrides). */
  layers(): readonly AreaLayer[];
  reload(): Promise<void>;
}

export async function loadLoopConfig(db: Db): Promise<LoopConfig> {
  let current: CaseRulesConfig = defaultCaseConfig;
  let layers: AreaLayer[] = [];
  async function reload() {
    const own = await db.query<{ areaCode: string; key: string; value: unknown }>(
      'SELECT area_code AS "areaCode", key, value FROM area_loop_settings ORDER BY area_code',
    );
    const byArea = new Map<string, Record<string, unknown>>();
    for (const r of own.rows) byArea.set(r.areaCode, { ...byArea.get(r.areaCode), [r.key]: r.value });
    layers = [...byArea].map(([areaCode, settings]) => ({ areaCode, settings: settings as AreaSettings }));
    const { rows } = await db.query<{ key: string; value: unknown }>('SELECT key, value FROM loop_settings');
    const s = Object.fromEntries(rows.map((r) => [r.key, r.value])) as Partial<LoopSettings>;
    current = {
      ...defaultCaseConfig,
      ...(s.calendar ? { calendar: s.calendar } : {}),
      ...(s.deadlineRules ? { deadlineRules: s.deadlineRules as CaseRulesConfig['deadlineRules'] } : {}),
      ...(s.autoDispatchCategories ? { autoDispatchCategories: s.autoDispatchCategories } : {}),
    };
  }
  await reload();
  return {
    get: (areaCode) =>
      areaCode && layers.length ? configForArea(current, layers, areaCode).config : current,
    origins: (areaCode) => configForArea(current, layers, areaCode).origins,
    layers: () => layers,
    reload,
  };
}

export function loopSettingsRoutes(app: App, { db, loop }: { db: Db; loop: LoopConfig }) {
  app.addSchema(LoopSettingsSchema);
  app.get(
    '/api/v1/settings/loop',
    {
      config: { access: 'catalogue:read' },
      schema: {
        tags: ['settings'],
        summary: 'Working calendar, deadline rules and auto-dispatch categories in force',
        response: { 200: Type.Ref('LoopSettings'), ...errors(401) },
      },
    },
    async () => {
      const c = loop.get();
      return {
        calendar: c.calendar,
        deadlineRules: c.deadlineRules,
        autoDispatchCategories: c.autoDispatchCategories,
      } as unknown as LoopSettings;
    },
  );
  app.patch(
    '/api/v1/settings/loop',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['settings'],
        summary: 'Change part of the loop settings (admin); effective at once',
        body: Type.Partial(Type.Omit(LoopSettingsSchema, [])),
        response: { 200: Type.Ref('LoopSettings'), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      // The city's settings are every level's defaults: only the city's administrators change them.
      if (!ownsArea(principalOf(request).scopeCode, undefined))
        throw forbidden("The city settings are the defaults; change your own area's settings instead");
      await db.transaction(async (tx) => {
        const keys = Object.keys(request.body);
        const old = await tx.query<{ key: string; value: unknown }>(
          'SELECT key, value FROM loop_settings WHERE key = ANY($1::text[])',
          [keys],
        );
        const current = loop.get() as unknown as Record<string, unknown>;
        const before = Object.fromEntries(
          keys.map((k) => [k, old.rows.find((r) => r.key === k)?.value ?? current[k] ?? null]),
        );
        await audit.record(tx, {
          action: 'config.loop-settings',
          object: 'loop-settings',
          details: changes(before, request.body as Record<string, unknown>),
        });
        for (const [key, value] of Object.entries(request.body)) {
          await tx.query(
            `INSERT INTO loop_settings (key, value) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
            [key, JSON.stringify(value)],
          );
        }
      });
      await loop.reload();
      const c = loop.get();
      return {
        calendar: c.calendar,
        deadlineRules: c.deadlineRules,
        autoDispatchCategories: c.autoDispatchCategories,
      } as unknown as LoopSettings;
    },
  );
}
