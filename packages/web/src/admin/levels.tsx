/**
 * Per-level ownership in the admin screens (分级管理): which level's settings are shown (the
 * city's defaults, or a district's or street's own), and for each setting whether it is the
 * level's own or inherited from above. A district or street administrator starts on its own
 * level; the city's defaults and other districts are read-only to it (the server checks too).
 */
import type { ReactNode } from 'react';
import { api, type components, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { loadAreas } from './DepartmentsTab.tsx';
import { useList, useSave } from './parts.tsx';

type LoopSettings = components['schemas']['LoopSettings'];
type AreaKey = 'calendar' | 'deadlineRules' | 'autoDispatchCategories';

/** The levels an administrator may look at: the city and the areas on the way to its scope and below. */
export function LevelPicker({
  scope,
  value,
  onChange,
}: {
  scope: string;
  value: string;
  onChange(code: string): void;
}) {
  const { t } = useI18n();
  const { list } = useList(loadAreas);
  const levels = (list ?? []).filter(
    (a) =>
      a.level !== 'community' && a.code.length > 4 && (a.code.startsWith(scope) || scope.startsWith(a.code)),
  );
  return (
    <label className="ad-level">
      <span className="muted">{t('admin.level.label')}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid="level">
        <option value="">{t('admin.level.city')}</option>
        {levels.map((a) => (
          <option key={a.code} value={a.code}>
            {'\u3000'.repeat(Math.max(0, (a.code.length - 4) / 3))}
            {a.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The level an administrator starts on: its own scope (the city's for a city administrator). */
export const ownLevel = (scope: string) => (scope.length <= 4 ? '' : scope);

/** 本级 / 继承自… for one setting. */
export function Origin({ origin, level }: { origin: string; level: string }) {
  const { t } = useI18n();
  const { list } = useList(loadAreas);
  if (origin === (level || 'city'))
    return <span className="tag tag--own">{level ? t('admin.level.own') : t('admin.level.defaults')}</span>;
  const name =
    origin === 'city' ? t('admin.level.city') : (list?.find((a) => a.code === origin)?.name ?? origin);
  return <span className="tag tag--inherited">{t('admin.level.inherited', { from: name })}</span>;
}

/**
 * One level's loop settings: in force, own, where each key comes from, and a save that writes the
 * city's defaults or the area's own value (null gives a key back to the level above).
 */
export function useLevelSettings(level: string, scope: string) {
  const { list, error, reload } = useList(async () => {
    if (!level) {
      const s = await unwrap(api.GET('/api/v1/settings/loop'));
      return [
        {
          effective: s,
          own: s as Partial<LoopSettings>,
          origins: { calendar: 'city', deadlineRules: 'city', autoDispatchCategories: 'city' },
          editable: scope.length <= 4,
        },
      ];
    }
    return [
      await unwrap(api.GET('/api/v1/settings/loop/areas/{code}', { params: { path: { code: level } } })),
    ];
  }, [level]);
  const save = useSave();
  const data = list?.[0];
  async function put(key: AreaKey, value: unknown, after?: () => void) {
    return save.run(
      () =>
        level
          ? unwrap(
              api.PUT('/api/v1/settings/loop/areas/{code}', {
                params: { path: { code: level } },
                body: { [key]: value },
              }),
            )
          : unwrap(api.PATCH('/api/v1/settings/loop', { body: { [key]: value } })),
      () => {
        reload();
        after?.();
      },
    );
  }
  return { data, error, reload, put, notice: save.notice, setMsg: save.setMsg };
}

/** The bar above a level's settings: picker, and a read-only note when the level is not the caller's. */
export function LevelBar({
  scope,
  level,
  onLevel,
  editable,
  children,
}: {
  scope: string;
  level: string;
  onLevel(code: string): void;
  editable: boolean | undefined;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <div className="ad-toolbar ad-levelbar" data-testid="level-bar">
      <LevelPicker scope={scope} value={level} onChange={onLevel} />
      {children}
      {editable === false && <span className="muted ad-small">{t('admin.level.readOnly')}</span>}
    </div>
  );
}
