/** 部门: departments in the administrator's scope — create, change, deactivate. */
import { checkDepartment, departmentKinds } from '@onegrid/domain';
import { type FormEvent, useState } from 'react';
import { api, type components, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { apiErrorText, Empty, Field, Notice, problemTexts, useDraft, useList } from './parts.tsx';

type Department = components['schemas']['AdminDepartment'];
export type AreaOption = components['schemas']['AreaOption'];

let areasOnce: Promise<AreaOption[]> | null = null;
export function loadAreas(): Promise<AreaOption[]> {
  areasOnce ??= unwrap(api.GET('/api/v1/admin/areas')).catch((e: unknown) => {
    areasOnce = null;
    throw e;
  });
  return areasOnce;
}

export function AreaSelect({ value, onChange }: { value: string; onChange(code: string): void }) {
  const { list } = useList(loadAreas);
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">—</option>
      {(list ?? [])
        .filter((a) => a.level !== 'community')
        .map((a) => (
          <option key={a.code} value={a.code}>
            {'\u3000'.repeat(Math.max(0, (a.code.length - 4) / 3))}
            {a.name} {a.code}
          </option>
        ))}
    </select>
  );
}

const empty = { editing: '', code: '', name: '', areaCode: '', kind: 'handler', creditCode: '', phone: '' };

export function DepartmentsTab() {
  const { t } = useI18n();
  const { list, error, reload } = useList(() => unwrap(api.GET('/api/v1/admin/departments')));
  // Which department is being edited is part of the draft: it survives an expired session too.
  const [draft, setDraft, clear] = useDraft('department', empty);
  const editing = draft.editing || null;
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const labels = {
    code: t('admin.dep.code'),
    name: t('admin.dep.name'),
    areaCode: t('admin.dep.area'),
    kind: t('admin.dep.kind'),
    creditCode: t('admin.dep.credit'),
    phone: t('admin.phone'),
  };

  function edit(d: Department) {
    setProblems({});
    setMsg(null);
    setDraft({
      editing: d.code,
      code: d.code,
      name: d.name,
      areaCode: d.areaCode,
      kind: d.kind,
      creditCode: d.creditCode ?? '',
      phone: d.phone ?? '',
    });
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = {
      name: draft.name.trim(),
      areaCode: draft.areaCode,
      kind: draft.kind as Department['kind'],
      creditCode: draft.creditCode.trim() || null,
      phone: draft.phone.trim() || null,
    };
    const p = checkDepartment(editing ? body : { ...body, code: draft.code.trim() }, !editing);
    setProblems(problemTexts(t, p, labels));
    if (Object.keys(p).length) return;
    try {
      const d = editing
        ? await unwrap(
            api.PATCH('/api/v1/admin/departments/{code}', { params: { path: { code: editing } }, body }),
          )
        : await unwrap(api.POST('/api/v1/admin/departments', { body: { ...body, code: draft.code.trim() } }));
      clear();
      setMsg({ kind: 'ok', text: t('admin.dep.saved', { name: d.name }) });
      reload();
    } catch (err) {
      setMsg({ kind: 'error', text: apiErrorText(t, err, labels) });
    }
  }

  async function toggle(d: Department) {
    try {
      await unwrap(
        api.PATCH('/api/v1/admin/departments/{code}', {
          params: { path: { code: d.code } },
          body: { active: !d.active },
        }),
      );
      reload();
    } catch (err) {
      setMsg({ kind: 'error', text: apiErrorText(t, err) });
    }
  }

  return (
    <div className="ad-split">
      <section className="ad-card ad-card--grow">
        {error && <Notice kind="error">{error}</Notice>}
        <div className="ad-table-wrap">
          <table className="ad-table" data-testid="departments">
            <thead>
              <tr>
                <th>{labels.code}</th>
                <th>{labels.name}</th>
                <th>{labels.areaCode}</th>
                <th>{labels.kind}</th>
                <th>{t('admin.dep.users')}</th>
                <th>{t('admin.dep.rules')}</th>
                <th>{t('admin.status')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(list ?? []).map((d) => (
                <tr key={d.code} className={d.active ? '' : 'ad-row--off'} aria-selected={editing === d.code}>
                  <td className="mono">{d.code}</td>
                  <td>{d.name}</td>
                  <td>{d.areaName ?? d.areaCode}</td>
                  <td>{t(`admin.dep.kind.${d.kind}` as 'admin.dep.kind.handler')}</td>
                  <td>{d.users}</td>
                  <td>{d.matrixRules}</td>
                  <td>{d.active ? t('admin.active') : t('admin.inactive')}</td>
                  <td className="ad-actions">
                    <button type="button" className="btn btn-sm btn-outline" onClick={() => edit(d)}>
                      {t('admin.edit')}
                    </button>
                    <button type="button" className="btn btn-sm btn-outline" onClick={() => void toggle(d)}>
                      {d.active ? t('admin.deactivate') : t('admin.activate')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list && list.length === 0 && <Empty>{t('admin.none')}</Empty>}
        </div>
      </section>
      <form
        className="ad-card ad-form"
        onSubmit={(e) => void submit(e)}
        noValidate
        data-testid="department-form"
      >
        <h2 className="ad-h">{editing ? t('admin.dep.edit', { code: editing }) : t('admin.dep.new')}</h2>
        <Field label={labels.code} error={problems.code}>
          <input
            name="code"
            value={draft.code}
            disabled={!!editing}
            placeholder="310101-fxb"
            onChange={(e) => setDraft({ code: e.target.value })}
          />
        </Field>
        <Field label={labels.name} error={problems.name}>
          <input name="name" value={draft.name} onChange={(e) => setDraft({ name: e.target.value })} />
        </Field>
        <Field label={labels.areaCode} error={problems.areaCode}>
          <AreaSelect value={draft.areaCode} onChange={(areaCode) => setDraft({ areaCode })} />
        </Field>
        <Field label={labels.kind} error={problems.kind}>
          <select value={draft.kind} onChange={(e) => setDraft({ kind: e.target.value })}>
            {departmentKinds.map((k) => (
              <option key={k} value={k}>
                {t(`admin.dep.kind.${k}` as 'admin.dep.kind.handler')}
              </option>
            ))}
          </select>
        </Field>
        <Field label={labels.creditCode} error={problems.creditCode}>
          <input
            name="creditCode"
            value={draft.creditCode}
            onChange={(e) => setDraft({ creditCode: e.target.value.toUpperCase() })}
          />
        </Field>
        <Field label={labels.phone} error={problems.phone}>
          <input name="phone" value={draft.phone} onChange={(e) => setDraft({ phone: e.target.value })} />
        </Field>
        {msg && <Notice kind={msg.kind}>{msg.text}</Notice>}
        <div className="ad-buttons">
          {editing && (
            <button
              type="button"
              className="btn btn-outline"
              onClick={() => {
                clear();
                setProblems({});
              }}
            >
              {t('form.cancel')}
            </button>
          )}
          <button type="submit" className="btn btn-primary">
            {editing ? t('admin.save') : t('admin.create')}
          </button>
        </div>
      </form>
    </div>
  );
}
