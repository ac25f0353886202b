/** The category list the picker searches, kept in localStorage so the form works offline. */
import { useEffect, useState } from 'react';
import { api, unwrap } from '../api/client.ts';

export interface Category {
  code: string;
  name: string;
  majorName: string;
  hint: string | null;
  confusableWith: string[];
}

const storageKey = 'onegrid.inspector.categories';

function cached(): Category[] {
  try {
    const raw = localStorage.getItem(storageKey);
    return raw ? (JSON.parse(raw) as Category[]) : [];
  } catch {
    return [];
  }
}

export function useCategoryList(): Category[] {
  const [list, setList] = useState<Category[]>(cached);
  useEffect(() => {
    let live = true;
    unwrap(api.GET('/api/v1/categories', { params: { query: { active: true } } }))
      .then((all) => {
        const next = all
          .filter((c) => /^\d{5}$/.test(c.code) && (c.kind === 'event' || c.kind === 'component'))
          .map((c) => ({
            code: c.code,
            name: c.name,
            majorName: c.majorName,
            hint: c.hint,
            confusableWith: c.confusableWith,
          }))
          .sort((a, b) => a.code.localeCompare(b.code));
        try {
          localStorage.setItem(storageKey, JSON.stringify(next));
        } catch {
          // Not cached: the next offline start has no list, the server still checks.
        }
        if (live) setList(next);
      })
      .catch(() => undefined); // offline: the cached list stays
    return () => {
      live = false;
    };
  }, []);
  return list;
}

/** Code prefix, part of the name or of the major category's name. */
export function searchCategories(list: Category[], q: string, limit = 30): Category[] {
  const s = q.trim().toLowerCase();
  if (!s)
    return list
      .filter((c) => c.hint)
      .concat(list.filter((c) => !c.hint))
      .slice(0, limit);
  return list
    .filter((c) => c.code.startsWith(s) || c.name.toLowerCase().includes(s) || c.majorName.includes(s))
    .slice(0, limit);
}
