/** Search the standard list; a picked category shows what tells it apart from the ones it is confused with. */
import { useMemo, useState } from 'react';
import { useT } from '../i18n/i18n.tsx';
import { type Category, searchCategories } from './categories.ts';

export function CategoryPicker({
  list,
  value,
  onChange,
  invalid,
}: {
  list: Category[];
  value: string;
  onChange(code: string): void;
  invalid: boolean;
}) {
  const t = useT();
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(!value);
  const byCode = useMemo(() => new Map(list.map((c) => [c.code, c])), [list]);
  const picked = byCode.get(value);
  const found = useMemo(() => searchCategories(list, q), [list, q]);

  if (picked && !open) {
    const others = picked.confusableWith.map((c) => byCode.get(c)).filter((c): c is Category => !!c);
    return (
      <div className="insp-cat" data-testid="category-picked">
        <div className="insp-cat__picked">
          <span className="insp-cat__code">{picked.code}</span>
          <strong>{picked.name}</strong>
          <button type="button" className="btn btn-ghost insp-link" onClick={() => setOpen(true)}>
            {t('insp.change')}
          </button>
        </div>
        {picked.hint && <p className="insp-hint">{picked.hint}</p>}
        {others.length > 0 && (
          <div className="insp-confusable" data-testid="confusable">
            <span className="insp-confusable__title">{t('insp.confusable')}</span>
            {others.map((o) => (
              <button
                key={o.code}
                type="button"
                className="insp-confusable__alt"
                onClick={() => onChange(o.code)}
              >
                <strong>{o.name}</strong>
                {o.hint && <span>{o.hint}</span>}
              </button>
            ))}
          </div>
        )}
      </div>
    );
  }
  return (
    <div className="insp-cat">
      <input
        type="search"
        className={`insp-input${invalid ? ' insp-input--invalid' : ''}`}
        placeholder={t('insp.searchCategory')}
        aria-label={t('insp.category')}
        aria-invalid={invalid}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        data-testid="category-search"
      />
      <ul className="insp-cat__list" data-testid="category-list">
        {found.map((c) => (
          <li key={c.code}>
            <button
              type="button"
              className="insp-cat__item"
              data-code={c.code}
              onClick={() => {
                onChange(c.code);
                setOpen(false);
                setQ('');
              }}
            >
              <span className="insp-cat__code">{c.code}</span>
              <span className="insp-cat__name">{c.name}</span>
              {c.hint && <span className="insp-cat__badge">{t('insp.hasHint')}</span>}
            </button>
          </li>
        ))}
        {found.length === 0 && <li className="insp-empty">{t('insp.noCategory')}</li>}
      </ul>
    </div>
  );
}
