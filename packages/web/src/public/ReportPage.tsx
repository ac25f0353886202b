/**
 * 我要举报: a photo, a pin (or an address), the matter picked from the standard list with the hints
 * that tell confusable ones apart, a description and an optional contact kept for the staff. The
 * draft survives a reload; the same idempotency key goes with every retry, so a report sent twice
 * over a bad connection is filed once. The form is checked with the server's own schema.
 */

import { useEffect, useMemo, useRef, useState } from 'react';
import { toast } from 'sonner';
import { ApiError, api, type components, unwrap } from '../api/client.ts';
import { type FieldError, fieldMessage, validateBody } from '../api/validate.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { type Pin, PinMap } from './PinMap.tsx';
import { PlaceSearch } from './PlaceSearch.tsx';
import { trackHash } from './route.ts';

type Category = components['schemas']['PublicCategory'];
type Receipt = components['schemas']['PublicReportReceipt'];

interface Photo {
  id: string;
  name: string;
  /** A blob URL of the chosen file (not kept across reloads). */
  preview?: string;
}

interface Draft {
  category: string;
  description: string;
  pin: Pin | null;
  address: string;
  name: string;
  phone: string;
  photos: Photo[];
  idempotencyKey: string | null;
}

const draftKey = 'onegrid.public.draft';
const emptyDraft: Draft = {
  category: '',
  description: '',
  pin: null,
  address: '',
  name: '',
  phone: '',
  photos: [],
  idempotencyKey: null,
};

function loadDraft(): Draft {
  try {
    const saved = JSON.parse(localStorage.getItem(draftKey) ?? 'null') as Partial<Draft> | null;
    if (!saved) return emptyDraft;
    return { ...emptyDraft, ...saved, photos: (saved.photos ?? []).map(({ id, name }) => ({ id, name })) };
  } catch {
    return emptyDraft;
  }
}

function saveDraft(d: Draft): void {
  try {
    localStorage.setItem(
      draftKey,
      JSON.stringify({ ...d, photos: d.photos.map(({ id, name }) => ({ id, name })) }),
    );
  } catch {
    // Storage full or unavailable: the form still works, the draft just does not survive a reload.
  }
}

/** A random UUID, also where `crypto.randomUUID` is missing (plain-HTTP pages on some phones). */
function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

const maxPhotos = 6;

export function ReportPage() {
  const { t } = useI18n();
  const [draft, setDraft] = useState<Draft>(loadDraft);
  const [categories, setCategories] = useState<Category[] | null>(null);
  const [query, setQuery] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<'upload' | 'send' | null>(null);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [locating, setLocating] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => saveDraft(draft), [draft]);
  useEffect(() => {
    unwrap(api.GET('/api/v1/public/categories'))
      .then(setCategories)
      .catch(() => setCategories([]));
  }, []);

  const update = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const byCode = useMemo(() => new Map((categories ?? []).map((c) => [c.code, c])), [categories]);
  const chosen = byCode.get(draft.category);
  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (!q || !categories) return [];
    return categories
      .filter((c) => c.name.includes(q) || c.code.startsWith(q) || c.majorName.includes(q))
      .slice(0, 8);
  }, [categories, query]);

  const errorOf = (field: string) => {
    const e = errors.find((x) => x.field === field || x.field.startsWith(`${field}.`));
    return e ? fieldMessage(t, e) : null;
  };

  async function addPhotos(files: FileList | null) {
    if (!files?.length) return;
    setProblem(null);
    setBusy('upload');
    try {
      for (const file of [...files].slice(0, maxPhotos - draft.photos.length)) {
        const form = new FormData();
        form.append('file', file, file.name);
        // Multipart, which the OpenAPI document does not describe; openapi-fetch sends FormData as is.
        const r = await unwrap(api.POST('/api/v1/public/attachments', { body: form as never }));
        const photo = { id: r.id, name: file.name, preview: URL.createObjectURL(file) };
        setDraft((d) => ({ ...d, photos: [...d.photos, photo] }));
      }
    } catch (e) {
      setProblem(describe(e));
    } finally {
      setBusy(null);
      if (fileInput.current) fileInput.current.value = '';
    }
  }

  function locateMe() {
    if (!navigator.geolocation) {
      setProblem(t('citizen.noGps'));
      return;
    }
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setLocating(false);
        update({ pin: { lng: p.coords.longitude, lat: p.coords.latitude } });
      },
      () => {
        setLocating(false);
        setProblem(t('citizen.noGps'));
      },
      { enableHighAccuracy: true, timeout: 15_000 },
    );
  }

  function describe(e: unknown): string {
    if (!(e instanceof ApiError)) return t('citizen.failed');
    if (e.code === 'network') return t('citizen.offline');
    if (e.code === 'rate_limited') return t('citizen.rateLimited');
    if (e.code === 'payload_too_large') return t('citizen.photoTooLarge');
    if (e.code === 'unsupported_media_type') return t('citizen.notAPhoto');
    if (e.code === 'outside_city' || /outside the city/.test(e.message)) return t('citizen.outsideCity');
    return `${t('citizen.failed')}（${e.message}）`;
  }

  async function submit(ev: React.FormEvent) {
    ev.preventDefault();
    setProblem(null);
    const key = draft.idempotencyKey ?? newKey();
    if (!draft.idempotencyKey) update({ idempotencyKey: key });
    const contact =
      draft.name.trim() || draft.phone.trim()
        ? {
            ...(draft.name.trim() ? { name: draft.name.trim() } : {}),
            ...(draft.phone.trim() ? { phone: draft.phone.trim() } : {}),
          }
        : undefined;
    const body = {
      category: draft.category,
      description: draft.description.trim(),
      ...(draft.pin ? { location: { lng: draft.pin.lng, lat: draft.pin.lat } } : {}),
      ...(draft.address.trim() ? { address: draft.address.trim() } : {}),
      ...(draft.photos.length ? { photos: draft.photos.map((p) => p.id) } : {}),
      ...(contact ? { contact } : {}),
      idempotencyKey: key,
    };
    const found = validateBody('POST /api/v1/public/reports', body);
    if (!draft.pin && !draft.address.trim()) found.push({ field: 'location', kind: 'required', params: {} });
    setErrors(found);
    if (found.length) return;
    setBusy('send');
    try {
      const r = await unwrap(api.POST('/api/v1/public/reports', { body }));
      setReceipt(r);
      toast.success(t('citizen.toast.sent', { number: r.number }));
      setDraft(emptyDraft);
      setQuery('');
    } catch (e) {
      if (e instanceof ApiError && e.code === 'validation_failed') {
        const field = (e.details as { field?: string } | undefined)?.field;
        if (field) setErrors([{ field, kind: 'invalid', params: {} }]);
      }
      setProblem(describe(e));
    } finally {
      setBusy(null);
    }
  }

  if (receipt) {
    return (
      <section className="citizen-card citizen-receipt" data-testid="receipt">
        <h2>{t('citizen.thanks')}</h2>
        <p>{t('citizen.numberIs')}</p>
        <p className="citizen-receipt__number" data-testid="receipt-number">
          {receipt.number}
        </p>
        <p>{t('citizen.keyIs')}</p>
        <p className="citizen-receipt__number mono" data-testid="receipt-key">
          {receipt.trackingKey}
        </p>
        <p className="citizen-muted">{t('citizen.keepNumber')}</p>
        <div className="citizen-actions">
          <a
            className="btn btn-primary"
            href={trackHash(receipt.number, receipt.trackingKey)}
            data-testid="receipt-track"
          >
            {t('citizen.trackIt')}
          </a>
          <button type="button" className="btn btn-outline" onClick={() => setReceipt(null)}>
            {t('citizen.another')}
          </button>
        </div>
      </section>
    );
  }

  return (
    <form className="citizen-card citizen-form" onSubmit={submit} noValidate data-testid="report-form">
      <h2>{t('citizen.reportTitle')}</h2>
      <p className="citizen-muted">{t('citizen.reportIntro')}</p>

      <fieldset className="citizen-field">
        <legend>{t('citizen.photos')}</legend>
        <div className="citizen-photos">
          {draft.photos.map((p) => (
            <figure key={p.id} className="citizen-photo" data-testid="photo">
              {p.preview ? <img src={p.preview} alt={p.name} /> : <span>{p.name}</span>}
              <button
                type="button"
                className="citizen-photo__remove"
                aria-label={t('citizen.removePhoto')}
                onClick={() => update({ photos: draft.photos.filter((x) => x.id !== p.id) })}
              >
                ×
              </button>
            </figure>
          ))}
          {draft.photos.length < maxPhotos && (
            <label className="citizen-photo citizen-photo--add">
              <input
                ref={fileInput}
                type="file"
                accept="image/*"
                capture="environment"
                multiple
                data-testid="photo-input"
                onChange={(e) => void addPhotos(e.target.files)}
              />
              <span>{busy === 'upload' ? t('form.uploading') : `＋ ${t('citizen.addPhoto')}`}</span>
            </label>
          )}
        </div>
      </fieldset>

      <fieldset className="citizen-field">
        <legend>{t('citizen.where')}</legend>
        <PinMap pin={draft.pin} onPin={(pin) => update({ pin })} />
        <div className="citizen-row">
          <button type="button" className="btn btn-outline" onClick={locateMe} disabled={locating}>
            {locating ? t('citizen.locating') : t('citizen.myPosition')}
          </button>
          <span className="citizen-muted" data-testid="pin-text">
            {draft.pin
              ? draft.address.trim() || `${draft.pin.lat.toFixed(5)}, ${draft.pin.lng.toFixed(5)}`
              : t('citizen.tapMap')}
          </span>
        </div>
        <PlaceSearch
          value={draft.address}
          onChange={(address) => update({ address })}
          onPick={(p) => update({ address: p.text, pin: { lng: p.lng, lat: p.lat } })}
        />
        {errorOf('location') && (
          <p className="citizen-error" role="alert">
            {t('citizen.needPlace')}
          </p>
        )}
      </fieldset>

      <fieldset className="citizen-field">
        <legend>{t('citizen.what')}</legend>
        {chosen ? (
          <div className="citizen-chosen" data-testid="chosen-category">
            <div>
              <strong>{chosen.name}</strong>{' '}
              <span className="citizen-muted">
                {chosen.code} · {chosen.majorName}
              </span>
              {chosen.hint && <p className="citizen-hint">{chosen.hint}</p>}
              {chosen.confusableWith.length > 0 && (
                <p className="citizen-hint" data-testid="confusable">
                  {t('citizen.confusable')}{' '}
                  {chosen.confusableWith.map((code) => {
                    const other = byCode.get(code);
                    return other ? (
                      <button
                        key={code}
                        type="button"
                        className="link-btn"
                        onClick={() => update({ category: code })}
                        title={other.hint ?? undefined}
                      >
                        {other.name}
                      </button>
                    ) : null;
                  })}
                </p>
              )}
            </div>
            <button type="button" className="btn btn-outline" onClick={() => update({ category: '' })}>
              {t('citizen.change')}
            </button>
          </div>
        ) : (
          <>
            <input
              type="search"
              className="citizen-search"
              value={query}
              placeholder={t('citizen.searchCategory')}
              aria-label={t('citizen.searchCategory')}
              onChange={(e) => setQuery(e.target.value)}
              data-testid="category-search"
            />
            <ul className="citizen-matches">
              {matches.map((c) => (
                <li key={c.code}>
                  <button
                    type="button"
                    data-testid="category-option"
                    data-code={c.code}
                    onClick={() => {
                      update({ category: c.code });
                      setQuery('');
                    }}
                  >
                    <strong>{c.name}</strong>
                    <span className="citizen-muted">
                      {c.code} · {c.majorName}
                    </span>
                  </button>
                </li>
              ))}
              {query.trim() && categories && matches.length === 0 && (
                <li className="citizen-muted">{t('citizen.noMatch')}</li>
              )}
            </ul>
          </>
        )}
        {errorOf('category') && (
          <p className="citizen-error" role="alert">
            {t('citizen.needCategory')}
          </p>
        )}
      </fieldset>

      <label className="citizen-label">
        {t('citizen.description')}
        <textarea
          value={draft.description}
          rows={4}
          placeholder={t('citizen.descriptionHint')}
          onChange={(e) => update({ description: e.target.value })}
          data-testid="description"
        />
        {errorOf('description') && (
          <span className="citizen-error" role="alert">
            {errorOf('description')}
          </span>
        )}
      </label>

      <fieldset className="citizen-field">
        <legend>{t('citizen.contact')}</legend>
        <p className="citizen-muted">{t('citizen.contactPrivacy')}</p>
        <div className="citizen-row citizen-row--split">
          <label className="citizen-label">
            {t('citizen.name')}
            <input value={draft.name} maxLength={50} onChange={(e) => update({ name: e.target.value })} />
          </label>
          <label className="citizen-label">
            {t('citizen.phone')}
            <input
              value={draft.phone}
              inputMode="tel"
              onChange={(e) => update({ phone: e.target.value })}
              data-testid="phone"
            />
            {errorOf('contact.phone') && (
              <span className="citizen-error" role="alert">
                {t('citizen.badPhone')}
              </span>
            )}
          </label>
        </div>
      </fieldset>

      {problem && (
        <p className="citizen-error citizen-error--block" role="alert" data-testid="report-problem">
          {problem}
        </p>
      )}
      <button
        type="submit"
        className="btn btn-primary btn-block"
        disabled={busy !== null}
        data-testid="report-submit"
      >
        {busy === 'send' ? t('form.submitting') : t('citizen.submit')}
      </button>
    </form>
  );
}
