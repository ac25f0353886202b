/**
 * 平台互联: links to the platforms above and below (docs/federation.md). Each link shows its
 * state — connected, queued N, failing since … — our public key to give the other side's
 * administrator, and a field for theirs; a new link makes our key pair.
 */
import { type FormEvent, useState } from 'react';
import { api, type components, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Empty, Field, Notice, problemText, useDraft, useList, useSave } from './parts.tsx';

type Link = components['schemas']['FederationLink'];

function StateChip({ link }: { link: Link }) {
  const { t } = useI18n();
  const since = link.failingSince ? new Date(link.failingSince).toLocaleString() : '';
  const text =
    link.state === 'connected'
      ? t('admin.fed.connected')
      : link.state === 'queued'
        ? t('admin.fed.queued', { n: link.queued })
        : link.state === 'failing'
          ? t('admin.fed.failing', { since, n: link.queued })
          : link.state === 'off'
            ? t('admin.fed.off')
            : t('admin.fed.awaitingKey');
  const tone = link.state === 'connected' ? 'ad-tag--ok' : link.state === 'failing' ? 'tag--urgent' : '';
  return (
    <span className={`tag ${tone}`} data-state={link.state} title={link.lastError ?? ''}>
      {text}
    </span>
  );
}

export function FederationTab({ scope }: { scope: string }) {
  const { t } = useI18n();
  const { list, error, reload } = useList(() => unwrap(api.GET('/api/v1/federation/links')));
  const labels = {
    name: t('admin.fed.name'),
    peerUrl: t('admin.fed.peerUrl'),
    peerPublicKey: t('admin.fed.peerKey'),
  };
  const save = useSave(labels);
  const [draft, setDraft, clear] = useDraft('federation-link', {
    name: '',
    direction: 'up' as 'up' | 'down',
    peerUrl: '',
    areaCode: scope,
    peerPublicKey: '',
  });
  const [keys, setKeys] = useState<Record<string, string>>({});
  const [problems, setProblems] = useState<Record<string, string>>({});

  async function add(e: FormEvent) {
    e.preventDefault();
    const p: Record<string, string> = {};
    if (!draft.name.trim()) p.name = problemText(t, 'name', 'required', labels.name);
    if (!/^https?:\/\/\S+$/.test(draft.peerUrl.trim()))
      p.peerUrl = problemText(t, 'peerUrl', 'invalid', labels.peerUrl);
    setProblems(p);
    if (Object.keys(p).length) return;
    await save.run(
      () =>
        unwrap(
          api.POST('/api/v1/federation/links', {
            body: {
              name: draft.name.trim(),
              direction: draft.direction,
              peerUrl: draft.peerUrl.trim(),
              ...(draft.areaCode ? { areaCode: draft.areaCode } : {}),
              ...(draft.peerPublicKey.trim() ? { peerPublicKey: draft.peerPublicKey.trim() } : {}),
            },
          }),
        ),
      () => {
        clear();
        reload();
      },
    );
  }

  const patch = (l: Link, body: { peerPublicKey?: string; active?: boolean }) =>
    save.run(
      () => unwrap(api.PATCH('/api/v1/federation/links/{id}', { params: { path: { id: l.id } }, body })),
      reload,
    );

  return (
    <div className="ad-split">
      <section className="ad-card ad-card--grow">
        <div className="ad-toolbar">
          <p className="muted ad-small">{t('admin.fed.help')}</p>
          <button type="button" className="btn btn-sm btn-outline" onClick={reload}>
            {t('admin.fed.refresh')}
          </button>
        </div>
        {error && <Notice kind="error">{error}</Notice>}
        {save.notice}
        <div className="ad-table-wrap">
          <table className="ad-table" data-testid="federation-links">
            <thead>
              <tr>
                <th>{labels.name}</th>
                <th>{t('admin.fed.direction')}</th>
                <th>{t('admin.fed.state')}</th>
                <th>{t('admin.fed.ourKey')}</th>
                <th>{labels.peerPublicKey}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(list ?? []).map((l) => (
                <tr key={l.id} data-link={l.id}>
                  <td>
                    {l.name}
                    <div className="mono muted ad-small">{l.peerUrl}</div>
                  </td>
                  <td>
                    {l.direction === 'up' ? t('admin.fed.up') : t('admin.fed.down')}
                    {l.areaCode && <div className="mono muted ad-small">{l.areaCode}</div>}
                  </td>
                  <td>
                    <StateChip link={l} />
                    {l.lastError && l.state === 'failing' && (
                      <div className="muted ad-small">{l.lastError}</div>
                    )}
                  </td>
                  <td>
                    <code className="ad-key" title={t('admin.fed.ourKeyHelp')}>
                      {l.publicKey}
                    </code>
                  </td>
                  <td>
                    {l.peerPublicKey ? (
                      <code className="ad-key">{l.peerPublicKey}</code>
                    ) : (
                      <span className="ad-inline">
                        <input
                          className="mono"
                          value={keys[l.id] ?? ''}
                          placeholder={t('admin.fed.pasteKey')}
                          onChange={(e) => setKeys({ ...keys, [l.id]: e.target.value })}
                        />
                        <button
                          type="button"
                          className="btn btn-sm btn-primary"
                          onClick={() => void patch(l, { peerPublicKey: (keys[l.id] ?? '').trim() })}
                        >
                          {t('admin.save')}
                        </button>
                      </span>
                    )}
                  </td>
                  <td className="ad-actions">
                    <button
                      type="button"
                      className="btn btn-sm btn-outline"
                      onClick={() => void patch(l, { active: !l.active })}
                    >
                      {l.active ? t('admin.deactivate') : t('admin.activate')}
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
        onSubmit={(e) => void add(e)}
        noValidate
        data-testid="federation-form"
      >
        <h2 className="ad-h">{t('admin.fed.add')}</h2>
        <Field label={labels.name} error={problems.name}>
          <input
            value={draft.name}
            placeholder="黄浦区城运平台"
            onChange={(e) => setDraft({ name: e.target.value })}
          />
        </Field>
        <Field label={t('admin.fed.direction')}>
          <select
            value={draft.direction}
            onChange={(e) => setDraft({ direction: e.target.value as 'up' | 'down' })}
          >
            <option value="up">{t('admin.fed.up')}</option>
            <option value="down">{t('admin.fed.down')}</option>
          </select>
        </Field>
        <Field label={labels.peerUrl} error={problems.peerUrl}>
          <input
            value={draft.peerUrl}
            placeholder="https://"
            onChange={(e) => setDraft({ peerUrl: e.target.value })}
          />
        </Field>
        <Field label={t('admin.fed.area')}>
          <input
            className="mono"
            value={draft.areaCode}
            onChange={(e) => setDraft({ areaCode: e.target.value })}
          />
        </Field>
        <Field label={labels.peerPublicKey}>
          <input
            className="mono"
            value={draft.peerPublicKey}
            placeholder={t('admin.fed.pasteKey')}
            onChange={(e) => setDraft({ peerPublicKey: e.target.value })}
          />
        </Field>
        <p className="muted ad-small">{t('admin.fed.addHelp')}</p>
        <button type="submit" className="btn btn-primary">
          {t('admin.add')}
        </button>
      </form>
    </div>
  );
}
