/**
 * 设备与规则: IoT devices (register, change, enable/disable; the token shown once) and alarm
 * rules (create, change, enable/disable). A rule's condition is checked on the client by the same
 * domain parser the server uses.
 */
import { parseRuleNode } from '@onegrid/domain';
import { type FormEvent, useState } from 'react';
import { api, type components, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { apiErrorText, Empty, Field, Notice, problemText, useDraft, useList } from './parts.tsx';

type Device = components['schemas']['Device'];
type Rule = components['schemas']['Rule'];
type Severity = Rule['severity'];

const deviceIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const severities: Severity[] = ['critical', 'major', 'minor', 'warning'];

export function DevicesTab() {
  const { t } = useI18n();
  const [part, setPart] = useState<'devices' | 'rules'>('devices');
  return (
    <div className="ad-page">
      <div className="ad-seg" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={part === 'devices'}
          onClick={() => setPart('devices')}
        >
          {t('admin.dev.devices')}
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={part === 'rules'}
          data-testid="rules-tab"
          onClick={() => setPart('rules')}
        >
          {t('admin.dev.rules')}
        </button>
      </div>
      {part === 'devices' ? <Devices /> : <Rules />}
    </div>
  );
}

const emptyDevice = { editing: '', id: '', typeId: '', name: '', lng: '', lat: '', ownerDeptCode: '' };

function Devices() {
  const { t, lang } = useI18n();
  const { list, error, reload } = useList(
    async () => (await unwrap(api.GET('/api/v1/devices', { params: { query: {} } }))).items,
  );
  const types = useList(() => unwrap(api.GET('/api/v1/device-types')));
  const departments = useList(() => unwrap(api.GET('/api/v1/admin/departments')));
  const [draft, setDraft, clear] = useDraft('device', emptyDevice);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [token, setToken] = useState<{ id: string; token: string } | null>(null);
  const editing = draft.editing || null;
  const typeName = (id: string) => {
    const ty = types.list?.find((x) => x.id === id);
    return ty ? (lang === 'zh' ? ty.nameZh : ty.nameEn) : id;
  };
  const labels = {
    id: t('admin.dev.id'),
    typeId: t('admin.dev.type'),
    name: t('admin.dev.name'),
    lng: t('admin.mx.lng'),
    lat: t('admin.mx.lat'),
    ownerDeptCode: t('admin.dev.owner'),
  };

  function edit(d: Device) {
    setProblems({});
    setMsg(null);
    setToken(null);
    setDraft({
      editing: d.id,
      id: d.id,
      typeId: d.typeId,
      name: d.name,
      lng: d.location ? String(d.location.lng) : '',
      lat: d.location ? String(d.location.lat) : '',
      ownerDeptCode: d.ownerDeptCode ?? '',
    });
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const p: Record<string, string> = {};
    if (!editing && draft.id && !deviceIdPattern.test(draft.id))
      p.id = problemText(t, 'id', 'pattern', labels.id);
    if (!draft.typeId) p.typeId = problemText(t, 'typeId', 'required', labels.typeId);
    if (!draft.name.trim()) p.name = problemText(t, 'name', 'required', labels.name);
    const x = Number(draft.lng);
    const y = Number(draft.lat);
    if (!draft.lng.trim() || !Number.isFinite(x) || x < -180 || x > 180) p.lng = t('admin.mx.badLng');
    if (!draft.lat.trim() || !Number.isFinite(y) || y < -90 || y > 90) p.lat = t('admin.mx.badLat');
    setProblems(p);
    if (Object.keys(p).length) return;
    const body = {
      typeId: draft.typeId,
      name: draft.name.trim(),
      location: { lng: x, lat: y },
      // Left out when none is picked: the device service takes null only as "clear the owner".
      ...(draft.ownerDeptCode ? { ownerDeptCode: draft.ownerDeptCode } : {}),
    };
    try {
      if (editing) {
        await unwrap(api.PATCH('/api/v1/devices/{id}', { params: { path: { id: editing } }, body }));
        setMsg({ kind: 'ok', text: t('admin.saved') });
      } else {
        const r = await unwrap(
          api.POST('/api/v1/devices', { body: { ...body, ...(draft.id ? { id: draft.id } : {}) } }),
        );
        setToken({ id: r.device.id, token: r.token });
        setMsg(null);
      }
      clear();
      reload();
    } catch (err) {
      setMsg({ kind: 'error', text: apiErrorText(t, err, labels) });
    }
  }

  async function toggle(d: Device) {
    try {
      await unwrap(
        api.PATCH('/api/v1/devices/{id}', {
          params: { path: { id: d.id } },
          body: { disabled: d.status !== 'disabled' },
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
          <table className="ad-table" data-testid="devices">
            <thead>
              <tr>
                <th>{labels.id}</th>
                <th>{labels.name}</th>
                <th>{labels.typeId}</th>
                <th>{t('admin.dev.grid')}</th>
                <th>{t('admin.status')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(list ?? []).map((d) => (
                <tr key={d.id} className={d.status === 'disabled' ? 'ad-row--off' : ''} data-device={d.id}>
                  <td className="mono">{d.id}</td>
                  <td>{d.name}</td>
                  <td>{typeName(d.typeId)}</td>
                  <td className="mono">{d.unitGridCode ?? '—'}</td>
                  <td>{t(`admin.dev.status.${d.status}` as 'admin.dev.status.online')}</td>
                  <td className="ad-actions">
                    <button type="button" className="btn btn-sm btn-outline" onClick={() => edit(d)}>
                      {t('admin.edit')}
                    </button>
                    <button type="button" className="btn btn-sm btn-outline" onClick={() => void toggle(d)}>
                      {d.status === 'disabled' ? t('admin.enable') : t('admin.disable')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list && list.length === 0 && <Empty>{t('admin.none')}</Empty>}
        </div>
      </section>
      <form className="ad-card ad-form" onSubmit={(e) => void submit(e)} noValidate data-testid="device-form">
        <h2 className="ad-h">{editing ? t('admin.dev.edit', { id: editing }) : t('admin.dev.new')}</h2>
        <Field label={`${labels.id} (${t('admin.optional')})`} error={problems.id}>
          <input
            name="id"
            value={draft.id}
            disabled={!!editing}
            onChange={(e) => setDraft({ id: e.target.value })}
          />
        </Field>
        <Field label={labels.typeId} error={problems.typeId}>
          <select name="typeId" value={draft.typeId} onChange={(e) => setDraft({ typeId: e.target.value })}>
            <option value="">—</option>
            {(types.list ?? []).map((ty) => (
              <option key={ty.id} value={ty.id}>
                {lang === 'zh' ? ty.nameZh : ty.nameEn}
              </option>
            ))}
          </select>
        </Field>
        <Field label={labels.name} error={problems.name}>
          <input name="name" value={draft.name} onChange={(e) => setDraft({ name: e.target.value })} />
        </Field>
        <div className="ad-row">
          <Field label={labels.lng} error={problems.lng}>
            <input
              name="lng"
              value={draft.lng}
              placeholder="121.4737"
              onChange={(e) => setDraft({ lng: e.target.value })}
            />
          </Field>
          <Field label={labels.lat} error={problems.lat}>
            <input
              name="lat"
              value={draft.lat}
              placeholder="31.2304"
              onChange={(e) => setDraft({ lat: e.target.value })}
            />
          </Field>
        </div>
        <Field label={labels.ownerDeptCode}>
          <select value={draft.ownerDeptCode} onChange={(e) => setDraft({ ownerDeptCode: e.target.value })}>
            <option value="">—</option>
            {(departments.list ?? [])
              .filter((d) => d.active)
              .map((d) => (
                <option key={d.code} value={d.code}>
                  {d.name}
                </option>
              ))}
          </select>
        </Field>
        {token && (
          <div className="ad-ok" role="status" data-testid="device-token">
            {t('admin.dev.token', { id: token.id })}
            <code className="ad-token">{token.token}</code>
          </div>
        )}
        {msg && <Notice kind={msg.kind}>{msg.text}</Notice>}
        <div className="ad-buttons">
          {editing && (
            <button type="button" className="btn btn-outline" onClick={clear}>
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

const emptyRule = {
  editing: 0,
  name: '',
  deviceTypeId: '',
  severity: 'major' as Severity,
  condition: '{"kind":"threshold","metric":"","op":">","value":0}',
  caseCategory: '',
};

function Rules() {
  const { t, lang } = useI18n();
  // Newest first: a rule just made is at the top.
  const { list, error, reload } = useList(async () =>
    (await unwrap(api.GET('/api/v1/rules', { params: { query: {} } }))).sort((a, b) => b.id - a.id),
  );
  const types = useList(() => unwrap(api.GET('/api/v1/device-types')));
  const [draft, setDraft, clear] = useDraft('rule', emptyRule);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const editing = draft.editing || null;
  const type = types.list?.find((x) => x.id === draft.deviceTypeId);
  const typeName = (id: string) => {
    const ty = types.list?.find((x) => x.id === id);
    return ty ? (lang === 'zh' ? ty.nameZh : ty.nameEn) : id;
  };
  const labels = {
    name: t('admin.rule.name'),
    deviceTypeId: t('admin.dev.type'),
    condition: t('admin.rule.condition'),
    caseCategory: t('admin.rule.caseCategory'),
  };

  function edit(r: Rule) {
    setProblems({});
    setMsg(null);
    setDraft({
      editing: r.id,
      name: r.name,
      deviceTypeId: r.deviceTypeId ?? '',
      severity: r.severity,
      condition: JSON.stringify(r.condition),
      caseCategory: r.caseCategory ?? '',
    });
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const p: Record<string, string> = {};
    if (!draft.name.trim()) p.name = problemText(t, 'name', 'required', labels.name);
    if (!draft.deviceTypeId) p.deviceTypeId = problemText(t, 'deviceTypeId', 'required', labels.deviceTypeId);
    let condition: unknown;
    try {
      condition = JSON.parse(draft.condition);
      const parsed = parseRuleNode(condition);
      if (!parsed.ok) p.condition = t('admin.rule.badCondition', { problems: parsed.errors.join('; ') });
      else if (type) {
        const metrics = new Set(type.metrics.map((m) => m.key));
        const used = [...draft.condition.matchAll(/"metric"\s*:\s*"([^"]*)"/g)].map((m) => m[1] ?? '');
        const unknown = used.filter((m) => !metrics.has(m));
        if (unknown.length) p.condition = t('admin.rule.unknownMetric', { metrics: [...metrics].join(', ') });
      }
    } catch {
      p.condition = t('admin.rule.notJson');
    }
    if (draft.caseCategory && !/^\d{5}$/.test(draft.caseCategory))
      p.caseCategory = problemText(t, 'category', 'pattern', labels.caseCategory);
    setProblems(p);
    if (Object.keys(p).length) return;
    const body = {
      name: draft.name.trim(),
      deviceTypeId: draft.deviceTypeId,
      condition,
      severity: draft.severity,
      caseCategory: draft.caseCategory || null,
    };
    try {
      if (editing) await unwrap(api.PATCH('/api/v1/rules/{id}', { params: { path: { id: editing } }, body }));
      else await unwrap(api.POST('/api/v1/rules', { body: { ...body, enabled: true } }));
      clear();
      setMsg({ kind: 'ok', text: t('admin.saved') });
      reload();
    } catch (err) {
      setMsg({ kind: 'error', text: apiErrorText(t, err, labels) });
    }
  }

  async function toggle(r: Rule) {
    try {
      await unwrap(
        api.PATCH('/api/v1/rules/{id}', { params: { path: { id: r.id } }, body: { enabled: !r.enabled } }),
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
          <table className="ad-table ad-table--rules" data-testid="rules">
            <thead>
              <tr>
                <th>{labels.name}</th>
                <th>{t('admin.rule.target')}</th>
                <th>{labels.condition}</th>
                <th>{t('admin.rule.severity')}</th>
                <th>{t('admin.status')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(list ?? []).map((r) => (
                <tr key={r.id} className={r.enabled ? '' : 'ad-row--off'} data-rule={r.id}>
                  <td>{r.name}</td>
                  <td>
                    {r.deviceId ? <span className="mono">{r.deviceId}</span> : typeName(r.deviceTypeId ?? '')}
                  </td>
                  <td className="mono ad-small ad-cond">{JSON.stringify(r.condition)}</td>
                  <td className="ad-nowrap">{t(`admin.rule.sev.${r.severity}` as 'admin.rule.sev.major')}</td>
                  <td className="ad-nowrap">{r.enabled ? t('admin.enabled') : t('admin.disabled')}</td>
                  <td className="ad-actions">
                    <button type="button" className="btn btn-sm btn-outline" onClick={() => edit(r)}>
                      {t('admin.edit')}
                    </button>
                    <button type="button" className="btn btn-sm btn-outline" onClick={() => void toggle(r)}>
                      {r.enabled ? t('admin.disable') : t('admin.enable')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {list && list.length === 0 && <Empty>{t('admin.none')}</Empty>}
        </div>
      </section>
      <form className="ad-card ad-form" onSubmit={(e) => void submit(e)} noValidate data-testid="rule-form">
        <h2 className="ad-h">{editing ? t('admin.rule.edit', { id: editing }) : t('admin.rule.new')}</h2>
        <Field label={labels.name} error={problems.name}>
          <input name="name" value={draft.name} onChange={(e) => setDraft({ name: e.target.value })} />
        </Field>
        <Field label={labels.deviceTypeId} error={problems.deviceTypeId}>
          <select
            name="deviceTypeId"
            value={draft.deviceTypeId}
            onChange={(e) => {
              const ty = types.list?.find((x) => x.id === e.target.value);
              // A fresh condition gets the type's first metric filled in.
              const metric = ty?.metrics[0]?.key;
              setDraft({
                deviceTypeId: e.target.value,
                ...(metric && draft.condition.includes('"metric":""')
                  ? { condition: draft.condition.replace('"metric":""', `"metric":"${metric}"`) }
                  : {}),
              });
            }}
          >
            <option value="">—</option>
            {(types.list ?? []).map((ty) => (
              <option key={ty.id} value={ty.id}>
                {lang === 'zh' ? ty.nameZh : ty.nameEn}
              </option>
            ))}
          </select>
        </Field>
        {type && (
          <div className="muted ad-small">
            {t('admin.rule.metrics')}:{' '}
            {type.metrics.map((m) => `${m.key}${m.unit ? ` (${m.unit})` : ''}`).join(', ')}
          </div>
        )}
        <Field label={labels.condition} error={problems.condition}>
          <textarea
            name="condition"
            rows={4}
            className="mono"
            value={draft.condition}
            onChange={(e) => setDraft({ condition: e.target.value })}
          />
        </Field>
        <div className="ad-row">
          <Field label={t('admin.rule.severity')}>
            <select
              value={draft.severity}
              onChange={(e) => setDraft({ severity: e.target.value as Severity })}
            >
              {severities.map((s) => (
                <option key={s} value={s}>
                  {t(`admin.rule.sev.${s}` as 'admin.rule.sev.major')}
                </option>
              ))}
            </select>
          </Field>
          <Field label={labels.caseCategory} error={problems.caseCategory}>
            <input
              name="caseCategory"
              value={draft.caseCategory}
              placeholder="01001"
              onChange={(e) => setDraft({ caseCategory: e.target.value })}
            />
          </Field>
        </div>
        {msg && <Notice kind={msg.kind}>{msg.text}</Notice>}
        <div className="ad-buttons">
          {editing && (
            <button type="button" className="btn btn-outline" onClick={clear}>
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
