/**
 * 提醒设置: which outside channels I am told on, where to (e-mail, phone, group robots), which
 * kinds stay in the bell only, and quiet hours (免打扰; urgent kinds still go through). What my
 * role gets is shown beside; only an administrator sets a role's (PUT …/roles/{role}).
 */
import {
  type NotifyChannel,
  type NotifyKind,
  notifyChannelNames,
  notifyChannels,
  notifyKindNames,
  notifyKinds,
} from '@onegrid/domain';
import { useEffect, useState } from 'react';
import { toast } from 'sonner';
import { api, type components, unwrap } from '../api/client.ts';
import { useI18n } from '../i18n/i18n.tsx';

type Prefs = components['schemas']['NotifyPrefs'];

export function NotifySettings({ onClose }: { onClose(): void }) {
  const { t, lang } = useI18n();
  const [prefs, setPrefs] = useState<Prefs | null>(null);
  const [available, setAvailable] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [quietOn, setQuietOn] = useState(true);

  useEffect(() => {
    void unwrap(api.GET('/api/v1/notifications/preferences')).then((r) => {
      setPrefs({ ...r.effective, ...r.mine, channels: { ...r.effective.channels, ...r.mine.channels } });
      setQuietOn(Boolean((r.mine.quiet === undefined ? r.effective.quiet : r.mine.quiet) ?? null));
      setAvailable(r.channels);
    });
  }, []);
  if (!prefs) return null;

  const set = (patch: Partial<Prefs>) => setPrefs({ ...prefs, ...patch });
  const channel = (c: NotifyChannel, on: boolean) => set({ channels: { ...prefs.channels, [c]: on } });
  const muted = new Set(prefs.muted ?? []);
  const text = (k: 'email' | 'phone' | 'wecomWebhook' | 'dingtalkWebhook' | 'dingtalkSecret') => ({
    value: prefs[k] ?? '',
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => set({ [k]: e.target.value || null }),
  });
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const quiet = quietOn ? (prefs.quiet ?? { start: '22:00', end: '07:00' }) : null;
    try {
      await unwrap(api.PUT('/api/v1/notifications/preferences', { body: { ...prefs, quiet } }));
      toast.success(t('notify.saved'));
      onClose();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <div className="modal-backdrop">
      <form
        className="notify-settings"
        role="dialog"
        aria-modal="true"
        aria-label={t('notify.settings')}
        onSubmit={save}
      >
        <h2>{t('notify.settings')}</h2>
        <fieldset>
          <legend>{t('notify.channels')}</legend>
          <p className="notify-settings__hint">{t('notify.inappAlways')}</p>
          {notifyChannels.map((c) => (
            <label key={c} className="notify-settings__check">
              <input
                type="checkbox"
                checked={prefs.channels?.[c] === true}
                onChange={(e) => channel(c, e.target.checked)}
                data-channel={c}
              />
              {notifyChannelNames[c][lang]}
              {!available.includes(c) && <span className="notify-settings__off">{t('notify.notSetUp')}</span>}
            </label>
          ))}
        </fieldset>
        <div className="notify-settings__grid">
          <label className="field">
            <span>{t('notify.email')}</span>
            <input type="email" {...text('email')} autoComplete="email" />
          </label>
          <label className="field">
            <span>{t('notify.phone')}</span>
            <input inputMode="tel" {...text('phone')} autoComplete="tel" />
          </label>
          <label className="field">
            <span>{t('notify.wecom')}</span>
            <input
              type="url"
              {...text('wecomWebhook')}
              placeholder="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
            />
          </label>
          <label className="field">
            <span>{t('notify.dingtalk')}</span>
            <input
              type="url"
              {...text('dingtalkWebhook')}
              placeholder="https://oapi.dingtalk.com/robot/send?access_token=…"
            />
          </label>
          <label className="field">
            <span>{t('notify.dingtalkSecret')}</span>
            <input {...text('dingtalkSecret')} placeholder="SEC…" />
          </label>
        </div>
        <fieldset>
          <legend>{t('notify.kinds')}</legend>
          {notifyKinds.map((k: NotifyKind) => (
            <label key={k} className="notify-settings__check">
              <input
                type="checkbox"
                checked={!muted.has(k)}
                onChange={(e) => {
                  const next = new Set(muted);
                  if (e.target.checked) next.delete(k);
                  else next.add(k);
                  set({ muted: [...next] });
                }}
              />
              {notifyKindNames[k][lang]}
              {notifyKindNames[k].urgent && (
                <span className="notify-settings__urgent">{t('notify.urgent')}</span>
              )}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t('notify.quiet')}</legend>
          <label className="notify-settings__check">
            <input type="checkbox" checked={quietOn} onChange={(e) => setQuietOn(e.target.checked)} />
            {t('notify.quietOn')}
          </label>
          {quietOn && (
            <div className="notify-settings__quiet">
              <input
                type="time"
                aria-label={t('notify.quietStart')}
                value={prefs.quiet?.start ?? '22:00'}
                onChange={(e) => set({ quiet: { start: e.target.value, end: prefs.quiet?.end ?? '07:00' } })}
              />
              <span>—</span>
              <input
                type="time"
                aria-label={t('notify.quietEnd')}
                value={prefs.quiet?.end ?? '07:00'}
                onChange={(e) =>
                  set({ quiet: { start: prefs.quiet?.start ?? '22:00', end: e.target.value } })
                }
              />
            </div>
          )}
          <p className="notify-settings__hint">{t('notify.quietHint')}</p>
        </fieldset>
        {error && <p className="form-error">{error}</p>}
        <div className="notify-settings__buttons">
          <button type="button" className="btn" onClick={onClose}>
            {t('notify.cancel')}
          </button>
          <button type="submit" className="btn btn-primary" data-testid="notify-settings-save">
            {t('notify.save')}
          </button>
        </div>
      </form>
    </div>
  );
}
