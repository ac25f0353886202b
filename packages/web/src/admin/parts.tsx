/**
 * Pieces the admin screens share: drafts that outlive an expired session, field problems in the
 * user's language (the same problem codes the server's validation answers with), lists loaded
 * from the API, and small form controls.
 */
import type { FieldProblems } from '@onegrid/domain';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { type MessageKey, type Translate, useI18n } from '../i18n/i18n.tsx';

const draftPrefix = 'onegrid.admin.draft.';

/**
 * A form's state, kept in sessionStorage as it is typed: an expired session (the relogin dialog
 * keeps the page mounted) or even a reload gives the draft back. `clear()` after a save.
 */
export function useDraft<T extends object>(
  key: string,
  initial: T,
  /** Fields kept in the page only, never in storage (passwords). */
  transient: readonly (keyof T)[] = [],
): [T, (patch: Partial<T>) => void, () => void] {
  // The first render's values: callers pass fresh literals on every render.
  const fixed = useRef({ initial, transient });
  const [value, setValue] = useState<T>(() => {
    try {
      const raw = sessionStorage.getItem(draftPrefix + key);
      if (raw) return { ...initial, ...(JSON.parse(raw) as Partial<T>) };
    } catch {
      // No storage: the draft lives as long as the page.
    }
    return initial;
  });
  const update = useCallback(
    (patch: Partial<T>) =>
      setValue((v) => {
        const next = { ...v, ...patch };
        try {
          const stored: Partial<T> = { ...next };
          for (const k of fixed.current.transient) delete stored[k];
          sessionStorage.setItem(draftPrefix + key, JSON.stringify(stored));
        } catch {
          // Not kept across reloads, still kept in the page.
        }
        return next;
      }),
    [key],
  );
  const clear = useCallback(() => {
    try {
      sessionStorage.removeItem(draftPrefix + key);
    } catch {
      // Nothing stored.
    }
    setValue(fixed.current.initial);
  }, [key]);
  return [value, update, clear];
}

const problemKeys: Record<string, MessageKey> = {
  required: 'admin.problem.required',
  pattern: 'admin.problem.pattern',
  tooShort: 'admin.problem.tooShort',
  tooLong: 'admin.problem.tooLong',
  invalid: 'admin.problem.invalid',
  notInScope: 'admin.problem.notInScope',
  departmentNeeded: 'admin.problem.departmentNeeded',
  taken: 'admin.problem.taken',
  format: 'admin.problem.format',
  tooLarge: 'admin.problem.tooLarge',
  badFile: 'admin.problem.badFile',
  sameAsUsername: 'admin.problem.sameAsUsername',
  repeated: 'admin.problem.repeated',
  common: 'admin.problem.common',
};

/** Field → hint shown with a `pattern` problem (what the value must look like). */
const patternHints: Record<string, MessageKey> = {
  username: 'admin.hint.username',
  code: 'admin.hint.departmentCode',
  departmentCode: 'admin.hint.departmentCode',
  scopeCode: 'admin.hint.areaCode',
  areaCode: 'admin.hint.areaCode',
  creditCode: 'admin.hint.creditCode',
  date: 'admin.hint.date',
  category: 'admin.hint.category',
};

export function problemText(t: Translate, field: string, problem: string, label: string): string {
  const key = problemKeys[problem] ?? 'admin.problem.invalid';
  const text = t(key, { field: label, min: 8 });
  const hint = problem === 'pattern' ? patternHints[field] : undefined;
  return hint ? `${text}${t(hint)}` : text;
}

/** An error from the API as text in the user's language, field problems included. */
export function apiErrorText(t: Translate, e: unknown, labels: Record<string, string> = {}): string {
  if (e instanceof ApiError) {
    const d = e.details as { field?: string; problem?: string } | undefined;
    if (d?.field && d.problem) return problemText(t, d.field, d.problem, labels[d.field] ?? d.field);
    if (e.code === 'network') return t('error.network');
    if (e.code === 'forbidden') return t('admin.error.forbidden');
    if (e.code === 'validation_failed') return t('admin.error.validation', { message: e.message });
    if (e.code === 'unauthenticated') return t('admin.error.expired');
  }
  return t('error.generic', { message: e instanceof Error ? e.message : String(e) });
}

/** Problems as texts by field, for `<Field error>`. */
export function problemTexts(t: Translate, problems: FieldProblems, labels: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(problems).map(([f, p]) => [f, problemText(t, f, p, labels[f] ?? f)]),
  ) as Record<string, string>;
}

export function Field({
  label,
  error,
  children,
  wide,
}: {
  label: string;
  error?: string | undefined;
  children: ReactNode;
  wide?: boolean;
}) {
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child
    <label className={`ad-field${wide ? ' ad-field--wide' : ''}${error ? ' ad-field--error' : ''}`}>
      <span className="ad-field__label">{label}</span>
      {children}
      {error && (
        <span className="ad-field__error" role="alert">
          {error}
        </span>
      )}
    </label>
  );
}

/** Loads a list; `reload()` after a change. */
export function useList<T>(load: () => Promise<T[]>, deps: unknown[] = []) {
  const { t } = useI18n();
  const [list, setList] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloads on tick and the given deps
  useEffect(() => {
    let live = true;
    load()
      .then((l) => {
        if (live) {
          setList(l);
          setError(null);
        }
      })
      .catch((e: unknown) => {
        if (live) setError(apiErrorText(t, e));
      });
    return () => {
      live = false;
    };
  }, [tick, ...deps]);
  return { list, error, reload: () => setTick((n) => n + 1) };
}

export function Notice({ kind, children }: { kind: 'ok' | 'error'; children: ReactNode }) {
  return (
    <div className={kind === 'ok' ? 'ad-ok' : 'form-error'} role={kind === 'ok' ? 'status' : 'alert'}>
      {children}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="ad-empty">{children}</div>;
}

export type Message = { kind: 'ok' | 'error'; text: string };

/**
 * The admin tabs' one save shape: run a change, say it was saved (or why not, in the user's
 * language, field problems named by their labels), then reload. `notice` renders the message.
 */
export function useSave(labels: Record<string, string> = {}) {
  const { t } = useI18n();
  const [msg, setMsg] = useState<Message | null>(null);
  const fixed = useRef(labels);
  fixed.current = labels;
  const run = useCallback(
    async (change: () => Promise<unknown>, after?: () => void, ok?: string): Promise<boolean> => {
      try {
        await change();
        setMsg({ kind: 'ok', text: ok ?? t('admin.saved') });
        after?.();
        return true;
      } catch (err) {
        setMsg({ kind: 'error', text: apiErrorText(t, err, fixed.current) });
        return false;
      }
    },
    [t],
  );
  const notice = msg ? <Notice kind={msg.kind}>{msg.text}</Notice> : null;
  return { msg, setMsg, run, notice };
}
