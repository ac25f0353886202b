/**
 * Sensors a city brings as a file (`onegrid import devices sensors.csv --tokens tokens.csv`): one
 * row per device — id, type, name, a point, optionally the owner department and the component it
 * watches, and whether it is disabled. Provisioned as `POST /api/v1/devices` does: a new device
 * gets a token, of which only a hash is kept and the token itself is handed over once (the
 * `secret` callback: the CLI writes them to a file only its user can read); the change is in the
 * audit log. A device imported again is updated by id and keeps its token.
 */
import crypto from 'node:crypto';
import { audit } from '../../audit/audit.ts';
import { hashDeviceToken } from '../../iot/device.directory.ts';
import { ImportFileError } from '../types.ts';
import { checkPoint } from '../validate.ts';
import { columns, explainDbError, type ImportKind, reject } from './kind.ts';

export interface DeviceRecord {
  type_id: string;
  name: string;
  lng: number;
  lat: number;
  owner: string | null;
  component: string | null;
  disabled: boolean;
  token: string;
  token_hash: string;
}

/** The same id rule as the devices API (iot.schema.ts `DeviceId`). */
const idPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const aliases = {
  id: ['id', 'device_id', 'deviceid', 'code', 'sbbh', '设备编号', '设备编码', '编号'],
  type: ['type', 'type_id', 'typeid', 'device_type', 'kind', 'sblx', '设备类型', '类型'],
  name: ['name', 'device_name', 'sbmc', '设备名称', '名称'],
  owner: ['owner', 'owner_dept', 'owner_dept_code', 'department', 'qsdw', '权属部门', '权属单位'],
  component: ['component', 'component_id', 'bjbm', '部件编码', '部件标识'],
  disabled: ['disabled', 'status', '状态', '停用'],
} as const;

const norm = (k: string) => k.toLowerCase().replace(/[\s_-]/g, '');

function field(props: Record<string, unknown>, names: readonly string[]): string | undefined {
  const wanted = new Set(names.map(norm));
  for (const [k, v] of Object.entries(props)) {
    if (!wanted.has(norm(k)) || v === null || v === undefined) continue;
    const s = String(v).trim();
    if (s) return s;
  }
  return undefined;
}

const isDisabled = (v: string | undefined) =>
  v !== undefined && /^(1|true|yes|y|disabled|停用|是)$/i.test(v.trim());

const upsertSql = `
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[],
                       $7::text[], $8::bool[], $9::text[])
    AS t(id, type_id, name, lng, lat, owner, component, disabled, token_hash)
)
INSERT INTO devices AS d (id, token_hash, type_id, name, location, unit_grid_code, component_id,
                          owner_dept_code, status)
SELECT i.id, i.token_hash, i.type_id, i.name, ST_SetSRID(ST_MakePoint(i.lng, i.lat), 4326),
       (SELECT g.code FROM unit_grids g WHERE ST_Intersects(g.geom, ST_SetSRID(ST_MakePoint(i.lng, i.lat), 4326))
         ORDER BY g.code LIMIT 1),
       i.component, i.owner, CASE WHEN i.disabled THEN 'disabled' ELSE 'offline' END
  FROM input i
ON CONFLICT (id) DO UPDATE SET type_id = EXCLUDED.type_id, name = EXCLUDED.name,
  location = EXCLUDED.location, unit_grid_code = EXCLUDED.unit_grid_code,
  component_id = EXCLUDED.component_id, owner_dept_code = EXCLUDED.owner_dept_code,
  status = CASE WHEN EXCLUDED.status = 'disabled' THEN 'disabled'
                WHEN d.status = 'disabled' THEN 'offline' ELSE d.status END,
  updated_at = now()
RETURNING d.id, (xmax = 0) AS inserted`;

export const devices: ImportKind<DeviceRecord> = {
  name: 'devices',
  summary: 'IoT devices (id, type, name, point; owner, component, disabled optional); tokens to --tokens',
  dedupe: 'memory',
  changesGeo: false,

  prepare(row, crs) {
    const p = row.properties;
    const id = field(p, aliases.id);
    if (id === undefined) return { ok: false, key: null, problem: 'missing_field', reason: 'no device id' };
    if (!idPattern.test(id))
      return {
        ok: false,
        key: id,
        problem: 'bad_code',
        reason: `device id "${id}" may hold letters, digits, '.', '_' and '-' (64 at most, starting with a letter or digit)`,
      };
    const type = field(p, aliases.type);
    if (type === undefined) return { ok: false, key: id, problem: 'missing_field', reason: 'no device type' };
    const name = field(p, aliases.name);
    if (name === undefined) return { ok: false, key: id, problem: 'missing_field', reason: 'no name' };
    if (name.length > 200)
      return { ok: false, key: id, problem: 'bad_value', reason: 'name longer than 200' };
    const at = checkPoint(row.geometry, crs);
    if (!at.ok) return { ok: false, key: id, problem: at.problem, reason: at.reason };
    const token = crypto.randomBytes(24).toString('base64url');
    return {
      ok: true,
      key: id,
      record: {
        type_id: type,
        name,
        lng: at.value[0],
        lat: at.value[1],
        owner: field(p, aliases.owner) ?? null,
        component: field(p, aliases.component) ?? null,
        disabled: isDisabled(field(p, aliases.disabled)),
        token,
        token_hash: hashDeviceToken(token),
      },
    };
  },

  async begin(db, ctx) {
    if (!ctx.secret)
      throw new ImportFileError(
        'devices need somewhere to hand over their tokens: import them with `onegrid import devices <file> --tokens <file>`',
      );
    const known = new Set(
      (await db.query<{ id: string }>('SELECT id FROM device_types')).rows.map((r) => r.id),
    );
    return {
      write: async (db, items) => {
        // An unknown type is the row's problem, said plainly (not a foreign-key message).
        const bad = items.filter((i) => !known.has(i.record.type_id));
        const good = items.filter((i) => known.has(i.record.type_id));
        const rejects = bad.map((i) =>
          reject(
            i.row,
            i.key,
            'unknown_reference',
            `unknown device type "${i.record.type_id}"; types: ${[...known].sort().join(', ')}`,
          ),
        );
        // One transaction per batch; a failing batch is written again row by row (as
        // writeWithFallback does), and tokens are handed over only once their rows committed.
        const write = async (batch: typeof good) => {
          const fresh = await db.transaction(async (tx) => {
            const r = await tx.query<{ id: string; inserted: boolean }>(upsertSql, [
              batch.map((i) => i.key),
              ...columns(batch, [
                'type_id',
                'name',
                'lng',
                'lat',
                'owner',
                'component',
                'disabled',
                'token_hash',
              ]),
            ]);
            const created = new Set(r.rows.filter((x) => x.inserted).map((x) => x.id));
            await audit.record(tx, {
              action: 'config.device',
              object: `import:${ctx.runId}`,
              details: {
                created: batch.filter((i) => created.has(i.key)).map((i) => i.key),
                updated: batch.filter((i) => !created.has(i.key)).map((i) => i.key),
              },
            });
            return created;
          });
          for (const i of batch) if (fresh.has(i.key)) ctx.secret?.(i.key, i.record.token);
        };
        if (good.length) {
          try {
            await write(good);
          } catch (e) {
            if (good.length === 1) {
              const { problem, reason } = explainDbError(e);
              rejects.push(reject(good[0]!.row, good[0]!.key, problem, reason));
            } else
              for (const item of good) {
                try {
                  await write([item]);
                } catch (e2) {
                  const { problem, reason } = explainDbError(e2);
                  rejects.push(reject(item.row, item.key, problem, reason));
                }
              }
          }
        }
        return rejects;
      },
      async end() {},
    };
  },
};
