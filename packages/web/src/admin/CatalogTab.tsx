/**
 * 数据资源目录: the datasets OneGrid shares, each with its fields and their classes, owner,
 * update frequency and how the share cursor follows it (docs/sharing.md). Read-only: what a
 * consumer may read is set on its service account (服务账号).
 */
import { useState } from 'react';
import { api, type components, unwrap } from '../api/client.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { Notice, useList } from './parts.tsx';

type Dataset = components['schemas']['Dataset'];

export function CatalogTab() {
  const { t, lang } = useI18n();
  const { list, error } = useList(() => unwrap(api.GET('/api/v1/catalog')));
  const [open, setOpen] = useState<string>('cases');
  const current: Dataset | undefined = list?.find((d) => d.id === open) ?? list?.[0];
  const cls = (c: string) => t(`catalog.class.${c}` as MessageKey);
  return (
    <div className="ad-split ad-split--catalog">
      <section className="ad-card ad-card--grow">
        {error && <Notice kind="error">{error}</Notice>}
        <div className="ad-table-wrap">
          <table className="ad-table" data-testid="catalog">
            <thead>
              <tr>
                <th>{t('catalog.dataset')}</th>
                <th>{t('catalog.owner')}</th>
                <th>{t('catalog.frequency')}</th>
                <th>{t('catalog.fields')}</th>
                <th>{t('catalog.share')}</th>
              </tr>
            </thead>
            <tbody>
              {(list ?? []).map((d) => (
                <tr
                  key={d.id}
                  aria-selected={current?.id === d.id}
                  className="ad-row--click"
                  onClick={() => setOpen(d.id)}
                >
                  <td>
                    <strong>{d.title[lang]}</strong>
                    <div className="ad-small mono">{d.id}</div>
                  </td>
                  <td>{d.owner[lang]}</td>
                  <td>{t(`catalog.freq.${d.updateFrequency}` as MessageKey)}</td>
                  <td>{d.fields.length}</td>
                  <td className="mono ad-small">/api/v1/share/{d.id}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {current && (
        <section className="ad-card ad-card--grow ad-scroll" data-testid="dataset">
          <h2 className="ad-h">{current.title[lang]}</h2>
          <p className="ad-small">{current.description[lang]}</p>
          <p className="ad-small">
            {t('catalog.cursor')}：{t(`catalog.cursor.${current.cursor}` as MessageKey)}
          </p>
          <table className="ad-table">
            <thead>
              <tr>
                <th>{t('catalog.field')}</th>
                <th>{t('catalog.class')}</th>
                <th>{t('catalog.mask')}</th>
              </tr>
            </thead>
            <tbody>
              {current.fields.map((f) => (
                <tr key={f.name}>
                  <td>
                    {f.title[lang]}
                    <div className="ad-small mono">{f.name}</div>
                  </td>
                  <td>
                    <span className={`tag tag--class-${f.classification}`}>{cls(f.classification)}</span>
                  </td>
                  <td className="ad-small">{f.mask ? t(`catalog.mask.${f.mask}` as MessageKey) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
