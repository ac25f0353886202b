/**
 * The buttons for exactly the actions the server says the caller may take now (`allowedActions`),
 * each opening a small form for that action's fields (from the domain's action table).
 */
import { actionTable, closeTypeNames, closeTypes, type FieldName } from '@onegrid/domain';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { type Translate, useI18n } from '../i18n/i18n.tsx';
import { type ActionBody, type ActionName, actOn, type Case, uploadPhoto } from './data.ts';
import { useCategories, useDepartments, useInspectorCandidates } from './lookups.ts';
import { actionLabel, isActionName } from './names.ts';

/** Actions that move the case forward: shown as primary buttons. */
const primary = new Set<string>([
  'accept',
  'dispatch',
  'accept-task',
  'handle',
  'verify',
  'close',
  'approve-return',
  'approve-extension',
  'approve-suspension',
  'confirm-report',
]);
const danger = new Set<string>(['reject', 'deny-return', 'deny-extension', 'deny-suspension']);

interface Props {
  c: Case;
  onDone(updated: Case, action: ActionName): void;
  /** The case changed under us (409 stale_version): reload it. */
  onStale(): void;
  duplicates?: { id: number; number: string }[];
}

export function ActionPanel({ c, onDone, onStale, duplicates }: Props) {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState<ActionName | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const allowed = (c.allowedActions ?? []).filter(isActionName);
  if (!allowed.length) {
    return (
      <div className="actions actions--none" data-testid="actions">
        {t('case.noActions')}
      </div>
    );
  }
  return (
    <div className="actions" data-testid="actions">
      <div className="actions__buttons">
        {allowed.map((a) => (
          <button
            key={a}
            type="button"
            data-action={a}
            className={`btn btn-sm ${primary.has(a) ? 'btn-primary' : danger.has(a) ? 'btn-danger' : 'btn-outline'}`}
            aria-pressed={open === a}
            onClick={() => {
              setNotice(null);
              setOpen(open === a ? null : a);
            }}
          >
            {actionLabel(a, lang)}
          </button>
        ))}
      </div>
      {notice && (
        <div className="form-error" role="alert" data-testid="action-notice">
          {notice}
        </div>
      )}
      {open && (
        <ActionForm
          key={`${open}-${c.version}`}
          c={c}
          action={open}
          duplicates={duplicates}
          onCancel={() => setOpen(null)}
          onDone={(u) => {
            setOpen(null);
            onDone(u, open);
          }}
          onStale={() => {
            setOpen(null);
            setNotice(t('case.stale'));
            onStale();
          }}
        />
      )}
    </div>
  );
}

type Values = Partial<Record<FieldName, string>>;

function inspectorLabel(
  x: { displayName: string; dutyGridCodes: string[]; distanceMeters: number | null; onDuty: boolean },
  t: Translate,
): string {
  const where =
    x.distanceMeters === null
      ? t('inspector.noGrid')
      : x.distanceMeters === 0
        ? t('inspector.inGrid', { grid: x.dutyGridCodes[0] ?? '' })
        : t('inspector.distance', { m: Math.round(x.distanceMeters) });
  return `${x.displayName} · ${where} · ${t(x.onDuty ? 'inspector.onDuty' : 'inspector.offDuty')}`;
}

function ActionForm({
  c,
  action,
  duplicates,
  onCancel,
  onDone,
  onStale,
}: {
  c: Case;
  action: ActionName;
  duplicates?: { id: number; number: string }[];
  onCancel(): void;
  onDone(u: Case): void;
  onStale(): void;
}) {
  const { t, lang } = useI18n();
  const table = actionTable[action].fields as Partial<Record<FieldName, 'required' | 'optional'>>;
  // Filing a report that awaits verification (直接立案) needs a reason; otherwise accept has none.
  const direct = action === 'accept' && (c.sourcePolicy?.awaitingVerification ?? false);
  const spec: Partial<Record<FieldName, 'required' | 'optional'>> =
    action === 'accept'
      ? Object.fromEntries(
          Object.entries(table).flatMap(([f, r]) =>
            f !== 'reason' ? [[f, r]] : direct ? [[f, 'required' as const]] : [],
          ),
        )
      : table;
  const fields = (Object.keys(spec) as FieldName[]).filter((f) => f !== 'location');
  const needsDepartments = fields.includes('departmentCode');
  const departments = useDepartments(needsDepartments);
  const categories = useCategories(fields.includes('category'));
  const inspectors = useInspectorCandidates(c.id, fields.includes('inspectorId'));
  const [values, setValues] = useState<Values>(() => ({
    departmentCode: c.proposal?.departmentCode ?? c.departmentCode ?? '',
    category: c.category,
    urgency: c.urgency,
    areaClass: c.areaClass,
    confirmed: 'true',
    passed: 'true',
    closeType: 'normal',
    target: 'higher-platform',
    targetCaseId: duplicates?.[0] ? String(duplicates[0].id) : '',
  }));
  const [photos, setPhotos] = useState<string[]>([]);
  const [uploading, setUploading] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (f: FieldName, v: string) => setValues((s) => ({ ...s, [f]: v }));
  const showNote = !fields.includes('note') && !fields.includes('reason');

  async function onFiles(files: FileList | null) {
    if (!files?.length) return;
    setUploading(true);
    setError(null);
    try {
      const ids: string[] = [];
      for (const f of Array.from(files)) ids.push(await uploadPhoto(f));
      setPhotos((p) => [...p, ...ids]);
    } catch (e) {
      setError(t('error.generic', { message: e instanceof Error ? e.message : String(e) }));
    } finally {
      setUploading(false);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    for (const f of fields) {
      if (spec[f] !== 'required') continue;
      const missing = f === 'photos' ? photos.length === 0 : !values[f]?.trim();
      if (missing) {
        setError(t('form.required', { field: t(`field.${f}`) }));
        return;
      }
    }
    const v = (f: FieldName) => values[f]?.trim() || undefined;
    const body: ActionBody = {};
    for (const f of fields) {
      const value = v(f);
      if (f === 'photos') {
        if (photos.length) body.photos = photos;
      } else if (value === undefined) {
      } else if (f === 'confirmed' || f === 'passed') {
        body[f] = value === 'true';
      } else if (f === 'until') {
        body.until = new Date(value).toISOString();
      } else if (f === 'duration') {
        body.duration = { days: Number(value) };
      } else if (f === 'urgency') {
        body.urgency = value === 'urgent' ? 'urgent' : 'normal';
      } else if (f === 'areaClass') {
        if (value === 'A' || value === 'B' || value === 'C') body.areaClass = value;
      } else if (f === 'closeType') {
        const ct = closeTypes.find((x) => x === value);
        if (ct) body.closeType = ct;
      } else if (f === 'targetCaseId' || f === 'inspectorId') {
        body[f] = /^\d+$/.test(value) ? Number(value) : value;
      } else if (f === 'reason' || f === 'note' || f === 'departmentCode' || f === 'category') {
        body[f] = value;
      } else if (f === 'target' || f === 'to') {
        body[f] = value;
      }
    }
    const note = v('note');
    if (showNote && note) body.note = note;
    setBusy(true);
    setError(null);
    try {
      onDone(await actOn(c, action, body));
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === 'stale_version') {
        onStale();
        return;
      }
      if (err instanceof ApiError && err.code === 'action_not_allowed') {
        const allowed = (err.details as { allowed?: unknown } | undefined)?.allowed;
        const list = Array.isArray(allowed)
          ? allowed
              .filter((a): a is string => typeof a === 'string')
              .filter(isActionName)
              .map((a) => actionLabel(a, lang))
              .join('、')
          : '';
        setError(t('case.notAllowed', { message: err.message, allowed: list || t('locate.none') }));
        return;
      }
      if (err instanceof ApiError && err.code === 'network') setError(t('error.network'));
      else setError(t('error.generic', { message: err instanceof Error ? err.message : String(err) }));
    }
  }

  const label = (f: FieldName) => `${t(`field.${f}`)}${spec[f] === 'required' ? ' *' : ''}`;
  return (
    <form className="action-form" onSubmit={(e) => void submit(e)} data-testid="action-form" noValidate>
      <div className="action-form__title">
        {direct ? t('case.policy.directTitle') : actionLabel(action, lang)}
      </div>
      {direct && <p className="action-form__hint">{t('case.policy.directHint')}</p>}
      {fields.map((f) => {
        const id = `af-${action}-${f}`;
        let control: React.ReactNode;
        switch (f) {
          case 'reason':
          case 'note':
            control = (
              <textarea id={id} rows={2} value={values[f] ?? ''} onChange={(e) => set(f, e.target.value)} />
            );
            break;
          case 'departmentCode':
            control = (
              <select id={id} value={values[f] ?? ''} onChange={(e) => set(f, e.target.value)}>
                {spec[f] === 'optional' && <option value="">{t('field.keepQueue')}</option>}
                {departments.map((d) => (
                  <option key={d.code} value={d.code}>
                    {d.name}（{d.code}）
                    {d.code === c.proposal?.departmentCode ? ` · ${t('case.proposed')}` : ''}
                  </option>
                ))}
                {values[f] && !departments.some((d) => d.code === values[f]) && (
                  <option value={values[f]}>{values[f]}</option>
                )}
              </select>
            );
            break;
          case 'targetCaseId':
            control = duplicates?.length ? (
              <select id={id} value={values[f] ?? ''} onChange={(e) => set(f, e.target.value)}>
                {duplicates.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.number}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={id}
                value={values[f] ?? ''}
                onChange={(e) => set(f, e.target.value)}
                inputMode="numeric"
              />
            );
            break;
          case 'inspectorId':
            control = (
              <select
                id={id}
                data-testid="inspector-select"
                value={values[f] ?? ''}
                onChange={(e) => set(f, e.target.value)}
              >
                <option value="">{t('field.inspectorId.any')}</option>
                {(inspectors ?? []).map((x) => (
                  <option key={x.id} value={x.id}>
                    {inspectorLabel(x, t)}
                  </option>
                ))}
              </select>
            );
            break;
          case 'category':
            control = (
              <select id={id} value={values[f] ?? ''} onChange={(e) => set(f, e.target.value)}>
                {!categories.some((x) => x.code === values[f]) && (
                  <option value={values[f]}>
                    {values[f]} {c.categoryName ?? ''}
                  </option>
                )}
                {categories.map((x) => (
                  <option key={x.code} value={x.code}>
                    {x.code} {x.name}
                  </option>
                ))}
              </select>
            );
            break;
          case 'urgency':
            control = (
              <select id={id} value={values[f] ?? ''} onChange={(e) => set(f, e.target.value)}>
                <option value="normal">{t('urgency.normal')}</option>
                <option value="urgent">{t('urgency.urgent')}</option>
              </select>
            );
            break;
          case 'areaClass':
            control = (
              <select id={id} value={values[f] ?? ''} onChange={(e) => set(f, e.target.value)}>
                {['A', 'B', 'C'].map((x) => (
                  <option key={x} value={x}>
                    {t('locate.areaClass', { cls: x })}
                  </option>
                ))}
              </select>
            );
            break;
          case 'confirmed':
          case 'passed':
            control = (
              <select id={id} value={values[f] ?? 'true'} onChange={(e) => set(f, e.target.value)}>
                <option value="true">{t(`field.${f}.yes`)}</option>
                <option value="false">{t(`field.${f}.no`)}</option>
              </select>
            );
            break;
          case 'closeType':
            control = (
              <select id={id} value={values[f] ?? ''} onChange={(e) => set(f, e.target.value)}>
                {closeTypes.map((x) => (
                  <option key={x} value={x}>
                    {lang === 'zh' ? closeTypeNames[x] : t(`closeType.${x}`)}
                  </option>
                ))}
              </select>
            );
            break;
          case 'target':
            control = (
              <select id={id} value={values[f] ?? ''} onChange={(e) => set(f, e.target.value)}>
                <option value="higher-platform">{t('field.target.higher')}</option>
                <option value="department">{t('field.target.department')}</option>
              </select>
            );
            break;
          case 'until':
            control = (
              <input
                id={id}
                type="datetime-local"
                value={values[f] ?? ''}
                onChange={(e) => set(f, e.target.value)}
              />
            );
            break;
          case 'duration':
            control = (
              <input
                id={id}
                type="number"
                min={0.5}
                step={0.5}
                value={values[f] ?? ''}
                onChange={(e) => set(f, e.target.value)}
              />
            );
            break;
          case 'photos':
            control = (
              <div className="photo-input">
                <input
                  id={id}
                  type="file"
                  accept="image/*"
                  multiple
                  data-testid="photo-input"
                  onChange={(e) => void onFiles(e.target.files)}
                />
                <span className="photo-input__count" data-testid="photo-count">
                  {uploading ? t('form.uploading') : t('form.photos', { n: photos.length })}
                </span>
              </div>
            );
            break;
          default:
            control = <input id={id} value={values[f] ?? ''} onChange={(e) => set(f, e.target.value)} />;
        }
        return (
          <label key={f} className="af-field" htmlFor={id}>
            <span>{label(f)}</span>
            {control}
          </label>
        );
      })}
      {showNote && (
        <label className="af-field" htmlFor={`af-${action}-note`}>
          <span>{t('field.note')}</span>
          <textarea
            id={`af-${action}-note`}
            rows={2}
            value={values.note ?? ''}
            onChange={(e) => set('note', e.target.value)}
          />
        </label>
      )}
      {error && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
      <div className="action-form__buttons">
        <button type="button" className="btn btn-sm btn-outline" onClick={onCancel}>
          {t('form.cancel')}
        </button>
        <button
          type="submit"
          className="btn btn-sm btn-primary"
          disabled={busy || uploading}
          data-testid="action-submit"
        >
          {busy ? t('form.submitting') : t('form.confirm', { action: actionLabel(action, lang) })}
        </button>
      </div>
    </form>
  );
}
