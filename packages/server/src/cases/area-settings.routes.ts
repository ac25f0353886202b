/**
 * A district's or street's own loop settings (分级管理): its calendar, deadline rules and
 * auto-dispatch list, each either its own or inherited from the level above (the city's are the
 * defaults). Administrators change only their own subtree; the scope is checked on the area.
 */
import { type AreaSettingKey, areaSettingKeys, ownsArea } from '@onegrid/domain';
import { type Static, Type } from '@sinclair/typebox';
import { audit } from '../audit/audit.ts';
import type { Db } from '../db/db.ts';
import { AppError, forbidden } from '../errors.ts';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import { type LoopConfig, LoopSettingsSchema } from './loop-settings.ts';

const Origin = Type.String({ description: '`city` for the defaults, else the area code that sets it' });
const AreaLoopSettings = Type.Object(
  {
    areaCode: Type.String(),
    /** What this area sets itself. */
    own: Type.Partial(LoopSettingsSchema),
    /** What is in force in this area (own, else inherited). */
    effective: Type.Ref('LoopSettings'),
    origins: Type.Object({ calendar: Origin, deadlineRules: Origin, autoDispatchCategories: Origin }),
    /** The caller may change this area's settings. */
    editable: Type.Boolean(),
  },
  { $id: 'AreaLoopSettings' },
);
type AreaLoopSettings = Static<typeof AreaLoopSettings>;
const Params = Type.Object({ code: Type.String({ pattern: '^\\d{6,12}$' }) });
const Body = Type.Object(
  {
    calendar: Type.Optional(Type.Union([LoopSettingsSchema.properties.calendar, Type.Null()])),
    deadlineRules: Type.Optional(Type.Union([LoopSettingsSchema.properties.deadlineRules, Type.Null()])),
    autoDispatchCategories: Type.Optional(
      Type.Union([LoopSettingsSchema.properties.autoDispatchCategories, Type.Null()]),
    ),
  },
  { additionalProperties: false },
);

export function areaSettingsRoutes(app: App, { db, loop }: { db: Db; loop: LoopConfig }) {
  app.addSchema(AreaLoopSettings);

  function view(areaCode: string, scope: string): AreaLoopSettings {
    const c = loop.get(areaCode);
    const own = loop.layers().find((l) => l.areaCode === areaCode)?.settings ?? {};
    return {
      areaCode,
      own: own as AreaLoopSettings['own'],
      effective: {
        calendar: c.calendar,
        deadlineRules: c.deadlineRules.map(({ areaCode: _a, ...r }) => r),
        autoDispatchCategories: c.autoDispatchCategories,
      } as unknown as AreaLoopSettings['effective'],
      origins: loop.origins(areaCode),
      editable: ownsArea(scope, areaCode),
    };
  }

  app.get(
    '/api/v1/settings/loop/areas/:code',
    {
      config: { access: 'catalogue:read' },
      schema: {
        tags: ['settings'],
        summary: "A district's or street's loop settings: what it sets itself and what it inherits",
        params: Params,
        response: { 200: Type.Ref('AreaLoopSettings'), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const code = request.params.code;
      // Inside one's scope, or an area above it (what one inherits).
      if (!code.startsWith(p.scopeCode) && !p.scopeCode.startsWith(code))
        throw forbidden(`Area ${code} is outside your scope`);
      return view(code, p.scopeCode);
    },
  );

  app.put(
    '/api/v1/settings/loop/areas/:code',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['settings'],
        summary: "Set (or with null give back to the level above) a district's or street's own settings",
        params: Params,
        body: Body,
        response: { 200: Type.Ref('AreaLoopSettings'), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const code = request.params.code;
      if (!ownsArea(p.scopeCode, code)) throw forbidden(`Area ${code} is not yours to configure`);
      const known = await db.query('SELECT 1 FROM areas WHERE code = $1', [code]);
      if (!known.rows.length)
        throw new AppError('validation_failed', `Unknown area ${code}`, { field: 'areaCode' });
      const body = request.body as Partial<Record<AreaSettingKey, unknown>>;
      await db.transaction(async (tx) => {
        const before = loop.layers().find((l) => l.areaCode === code)?.settings ?? {};
        for (const key of areaSettingKeys) {
          if (!(key in body)) continue;
          const value = body[key];
          if (value === null) {
            await tx.query('DELETE FROM area_loop_settings WHERE area_code = $1 AND key = $2', [code, key]);
          } else {
            await tx.query(
              `INSERT INTO area_loop_settings (area_code, key, value) VALUES ($1, $2, $3)
               ON CONFLICT (area_code, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
              [code, key, JSON.stringify(value)],
            );
          }
        }
        await audit.record(tx, {
          action: 'config.loop-settings',
          object: `loop-settings:${code}`,
          details: { before, after: body },
        });
      });
      await loop.reload();
      return view(code, p.scopeCode);
    },
  );
}
