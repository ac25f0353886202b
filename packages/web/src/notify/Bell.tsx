/**
 * The bell (消息提醒): my notifications with the unread count, kept live by the event stream's
 * `notify.*` events (mine alone: the server filters them by user). A click opens what it is about
 * and marks it read; 全部已读 marks all; 提醒设置 opens the preferences.
 */
import { type NotifyKind, notifyKindNames } from '@onegrid/domain';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type components, unwrap } from '../api/client.ts';
import { useEventStream } from '../api/stream.ts';
import { Icon } from '../app/icons.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { NotifySettings } from './NotifySettings.tsx';
import './notify.css';

type Notification = components['schemas']['Notification'];

export function Bell() {
  const { t, lang } = useI18n();
  const [items, setItems] = useState<Notification[]>([]);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(false);
  const [settings, setSettings] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  const load = useCallback(async () => {
    try {
      const r = await unwrap(api.GET('/api/v1/notifications', { params: { query: { limit: 30 } } }));
      setItems(r.items);
      setUnread(r.unread);
    } catch {
      // The next event or opening the panel tries again.
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  useEventStream('notify', ['notify.created', 'notify.read'], () => void load());
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', away);
    return () => document.removeEventListener('mousedown', away);
  }, [open]);

  const read = async (n: Notification) => {
    if (!n.readAt) {
      const r = await unwrap(api.POST('/api/v1/notifications/{id}/read', { params: { path: { id: n.id } } }));
      setUnread(r.unread);
      setItems((xs) => xs.map((x) => (x.id === n.id ? { ...x, readAt: new Date().toISOString() } : x)));
    }
    if (n.link) window.location.hash = n.link.replace(/^#/, '');
    setOpen(false);
  };
  const readAll = async () => {
    const r = await unwrap(api.POST('/api/v1/notifications/read-all'));
    setUnread(r.unread);
    setItems((xs) => xs.map((x) => ({ ...x, readAt: x.readAt ?? new Date().toISOString() })));
  };
  const when = (iso: string) =>
    new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });

  return (
    <div className="bell" ref={box}>
      <button
        type="button"
        className="btn btn-ghost bell__button"
        aria-label={t('notify.bell', { n: unread })}
        title={t('notify.bell', { n: unread })}
        aria-expanded={open}
        data-testid="bell"
        onClick={() => {
          setOpen((o) => !o);
          if (!open) void load();
        }}
      >
        <Icon name="bell" size={18} />
        {unread > 0 && (
          <span className="bell__count" data-testid="bell-count">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open && (
        <div className="bell__panel" role="dialog" aria-label={t('notify.title')}>
          <div className="bell__head">
            <strong>{t('notify.title')}</strong>
            <span className="bell__actions">
              <button type="button" className="link-button" onClick={() => void readAll()} disabled={!unread}>
                {t('notify.readAll')}
              </button>
              <button
                type="button"
                className="link-button"
                data-testid="notify-settings-open"
                onClick={() => {
                  setSettings(true);
                  setOpen(false);
                }}
              >
                {t('notify.settings')}
              </button>
            </span>
          </div>
          {items.length === 0 ? (
            <p className="bell__empty">{t('notify.empty')}</p>
          ) : (
            <ul className="bell__list">
              {items.map((n) => (
                <li key={n.id}>
                  <button
                    type="button"
                    className={n.readAt ? 'bell__item' : 'bell__item bell__item--unread'}
                    onClick={() => void read(n)}
                  >
                    <span className={`bell__kind bell__kind--${n.kind.replace('.', '-')}`}>
                      {notifyKindNames[n.kind as NotifyKind]?.[lang] ?? n.kind}
                    </span>
                    <span className="bell__title">{n.title}</span>
                    <span className="bell__body">{n.body}</span>
                    <time className="bell__time">{when(n.createdAt)}</time>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {settings && <NotifySettings onClose={() => setSettings(false)} />}
    </div>
  );
}
