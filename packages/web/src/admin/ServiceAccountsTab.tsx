/**
 * 服务账号: machines that call OneGrid (the 12345 system, cameras, other platforms, data
 * consumers). The security administrator issues one with an area scope, grants and a clearance;
 * the client secret is shown once; rotate it or disable the account (docs/sharing.md).
 */
import {
  type Clearance,
  channelGrants,
  clearanceNames,
  clearances,
  datasetIds,
  datasetTitles,
  grantNames,
} from '@onegrid/domain';
import { type FormEvent, useState } from 'react';
import { api, type components, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { AreaSelect } from './DepartmentsTab.tsx';
import { apiErrorText, Empty, Field, Notice, useDraft, useList } from './parts.tsx';

type Account = components['schemas']['ServiceAccount'];

const empty = { name: '', scope: '', grants: [] as string[], clearance: 'public' as Clearance };

export function ServiceAccountsTab() {
  const { t, lang } = useI18n();
  const { list, error, reload } = useList(() => unwrap(api.GET('/api/v1/service-accounts')));
  const [draft, setDraft, clear] = useDraft('service-account', empty);
  const [secret, setSecret] = useState<{ clientId: string; clientSecret: string } | null>(null);
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const labels = {
    name: t('admin.sa.name'),
    scope: t('admin.sa.scope'),
    grants: t('admin.sa.grants'),
    clearance: t('admin.sa.clearance'),
  };
  const grantLabel = (g: string) =>
    g.startsWith('share:')
      ? `${grantNames.share[lang]} · ${datasetTitles[g.slice(6) as keyof typeof datasetTitles]?.[lang] ?? g.slice(6)}`
      : (grantNames[g as keyof typeof grantNames]?.[lang] ?? g);
  const allGrants = [...channelGrants, ...datasetIds.map((d) => `share:${d}`)];

  function toggleGrant(g: string) {
    setDraft({
      grants: draft.grants.includes(g) ? draft.grants.filter((x) => x !== g) : [...draft.grants, g],
    });
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSecret(null);
    try {
      const a = await unwrap(
        api.POST('/api/v1/service-accounts', {
          body: {
            name: draft.name.trim(),
            scope: draft.scope,
            grants: draft.grants,
            clearance: draft.clearance,
          },
        }),
      );
      clear();
      setSecret({ clientId: a.clientId, clientSecret: a.clientSecret });
      setMsg({ kind: 'ok', text: t('admin.sa.issued', { name: a.name }) });
      reload();
    } catch (err) {
      setMsg({ kind: 'error', text: apiErrorText(t, err, labels) });
    }
  }

  async function rotate(a: Account) {
    if (!window.confirm(t('admin.sa.rotateConfirm', { name: a.name }))) return;
    try {
      const r = await unwrap(
        api.POST('/api/v1/service-accounts/{id}/rotate', { params: { path: { id: a.id } } }),
      );
      setSecret({ clientId: r.clientId, clientSecret: r.clientSecret });
      setMsg({ kind: 'ok', text: t('admin.sa.rotated', { name: a.name }) });
      reload();
    } catch (err) {
      setMsg({ kind: 'error', text: apiErrorText(t, err) });
    }
  }

  async function disable(a: Account) {
    if (!window.confirm(t('admin.sa.disableConfirm', { name: a.name }))) return;
    try {
      await unwrap(api.POST('/api/v1/service-accounts/{id}/disable', { params: { path: { id: a.id } } }));
      setSecret(null);
      reload();
    } catch (err) {
      setMsg({ kind: 'error', text: apiErrorText(t, err) });
    }
  }

  const when = (iso: string | null) =>
    iso ? new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB') : '—';

  return (
    <div className="ad-split">
      <section className="ad-card ad-card--grow">
        {error && <Notice kind="error">{error}</Notice>}
        {secret && (
          <div className="ad-ok" role="status" data-testid="service-secret">
            {t('admin.sa.secretOnce')}
            <div>
              client_id <code className="ad-token">{secret.clientId}</code>
            </div>
            <div>
              client_secret <code className="ad-token">{secret.clientSecret}</code>
            </div>
          </div>
        )}
        <div className="ad-table-wrap">
          <table className="ad-table" data-testid="service-accounts">
            <thead>
              <tr>
                <th>{labels.name}</th>
                <th>client_id</th>
                <th>{labels.scope}</th>
                <th>{labels.grants}</th>
                <th>{labels.clearance}</th>
                <th>{t('admin.sa.lastToken')}</th>
                <th>{t('admin.status')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(list ?? []).map((a) => (
                <tr key={a.id} className={a.disabledAt ? 'ad-row--off' : ''}>
                  <td>{a.name}</td>
                  <td className="mono">{a.clientId}</td>
                  <td className="mono">{a.scope}</td>
                  <td>{a.grants.map(grantLabel).join('、')}</td>
                  <td>{clearanceNames[a.clearance][lang]}</td>
                  <td>{when(a.lastTokenAt)}</td>
                  <td>{a.disabledAt ? t('admin.disabled') : t('admin.enabled')}</td>
                  <td className="ad-actions">
                    {!a.disabledAt && (
                      <>
                        <button
                          type="button"
                          className="btn btn-sm btn-outline"
                          onClick={() => void rotate(a)}
                        >
                          {t('admin.sa.rotate')}
                        </button>
                        <button
                          type="button"
                          className="btn btn-sm btn-outline"
                          onClick={() => void disable(a)}
                        >
                          {t('admin.disable')}
                        </button>
                      </>
                    )}
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
        data-testid="service-account-form"
      >
        <h2 className="ad-h">{t('admin.sa.new')}</h2>
        <Field label={labels.name}>
          <input name="name" value={draft.name} onChange={(e) => setDraft({ name: e.target.value })} />
        </Field>
        <Field label={labels.scope}>
          <AreaSelect value={draft.scope} onChange={(scope) => setDraft({ scope })} />
        </Field>
        <Field label={labels.clearance}>
          <select
            value={draft.clearance}
            onChange={(e) => setDraft({ clearance: e.target.value as Clearance })}
          >
            {clearances.map((c) => (
              <option key={c} value={c}>
                {clearanceNames[c][lang]}
              </option>
            ))}
          </select>
        </Field>
        <fieldset className="ad-checks" data-testid="grants">
          <legend>{labels.grants}</legend>
          {allGrants.map((g) => (
            <label key={g} className="ad-check">
              <input type="checkbox" checked={draft.grants.includes(g)} onChange={() => toggleGrant(g)} />
              {grantLabel(g)}
            </label>
          ))}
        </fieldset>
        {msg && <Notice kind={msg.kind}>{msg.text}</Notice>}
        <div className="ad-buttons">
          <button type="submit" className="btn btn-primary">
            {t('admin.create')}
          </button>
        </div>
      </form>
    </div>
  );
}
