import { useI18n } from '../i18n/i18n.tsx';
import { Icon } from './icons.tsx';

/** One button that switches between 中文 and English; it names the language it switches to. */
export function LangSwitch({ compact = false }: { compact?: boolean }) {
  const { t, lang, setLang } = useI18n();
  return (
    <button
      type="button"
      className="btn btn-ghost lang-switch"
      data-testid="lang-switch"
      aria-label={`${t('lang.label')}: ${t('lang.switchTo')}`}
      lang={lang === 'zh' ? 'en' : 'zh-CN'}
      onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
    >
      <Icon name="globe" size={18} />
      {!compact && <span>{t('lang.switchTo')}</span>}
    </button>
  );
}
