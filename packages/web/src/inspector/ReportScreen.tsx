/**
 * Report in three taps: the photo (the camera opens), the category (GPS has placed the pin on the
 * grid map meanwhile; drag or tap to correct it), then 上报. The report joins the queue with its
 * idempotency key and shows 待同步 until the server has filed it.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, api, unwrap } from '../api/client.ts';
import { fieldMessage, validateBody } from '../api/validate.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';
import { CategoryPicker } from './CategoryPicker.tsx';
import type { Category } from './categories.ts';
import {
  clearDraft,
  loadDraft,
  loadDraftPhoto,
  type ReportDraft,
  saveDraft,
  saveDraftPhoto,
} from './draft.ts';
import { InspectorMap, type LngLat } from './InspectorMap.tsx';
import { CameraIcon, ItemStatus } from './parts.tsx';
import { newKey, type ReportItem } from './queue.ts';
import type { QueueState } from './useQueue.ts';
import { descriptionMax, type ReportField, validateReport } from './validate.ts';

type Place =
  | { status: 'none' }
  | { status: 'loading' }
  | { status: 'done'; grid: string | null; label: string }
  | { status: 'outside' }
  | { status: 'unknown' };

function usePhotoUrl(blob: Blob | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) {
      setUrl(null);
      return;
    }
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [blob]);
  return url;
}

export function ReportScreen({
  userId,
  queue,
  categories,
}: {
  userId: number;
  queue: QueueState;
  categories: Category[];
}) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<ReportDraft>(() => loadDraft(userId));
  const [photo, setPhoto] = useState<Blob | null>(null);
  const [place, setPlace] = useState<Place>({ status: 'none' });
  const [gps, setGps] = useState<'waiting' | 'ok' | 'denied' | 'none'>('waiting');
  /** What is wrong, by field, already in the user's words. */
  const [problems, setProblems] = useState<Partial<Record<ReportField, string>>>({});
  const [lastKey, setLastKey] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const photoUrl = usePhotoUrl(photo);

  const update = useCallback(
    (patch: Partial<ReportDraft>) => {
      setDraft((d) => {
        const next = { ...d, ...patch };
        saveDraft(userId, next);
        return next;
      });
    },
    [userId],
  );

  useEffect(() => {
    void loadDraftPhoto(userId).then((b) => {
      if (b) setPhoto(b);
    });
  }, [userId]);

  // GPS follows the phone until the inspector corrects the pin by hand.
  const corrected = draft.corrected;
  useEffect(() => {
    if (corrected) return;
    if (!('geolocation' in navigator)) {
      setGps('none');
      return;
    }
    const id = navigator.geolocation.watchPosition(
      (pos) => {
        setGps('ok');
        update({ location: { lng: pos.coords.longitude, lat: pos.coords.latitude } });
      },
      () => setGps('denied'),
      { enableHighAccuracy: true, maximumAge: 10_000, timeout: 20_000 },
    );
    return () => navigator.geolocation.clearWatch(id);
  }, [corrected, update]);

  const lng = draft.location?.lng;
  const lat = draft.location?.lat;
  useEffect(() => {
    if (lng === undefined || lat === undefined) return;
    let live = true;
    setPlace({ status: 'loading' });
    unwrap(api.GET('/api/v1/geo/locate', { params: { query: { lng, lat, crs: 'wgs84' } } }))
      .then((r) => {
        if (!live) return;
        const label = [r.district?.name, r.street?.name, r.community?.name].filter(Boolean).join(' · ');
        setPlace({ status: 'done', grid: r.unitGrid?.code ?? null, label });
      })
      .catch((e: unknown) => {
        if (!live) return;
        setPlace(
          e instanceof ApiError && e.code === 'outside_city' ? { status: 'outside' } : { status: 'unknown' },
        );
      });
    return () => {
      live = false;
    };
  }, [lng, lat]);

  const movePin = useCallback((p: LngLat) => update({ location: p, corrected: true }), [update]);
  const pin = useMemo(() => (lng !== undefined && lat !== undefined ? { lng, lat } : null), [lng, lat]);
  const codes = useMemo(() => categories.map((c) => c.code), [categories]);
  const sent = queue.items.find((i) => i.key === lastKey);

  const pickPhoto = (file: File | undefined) => {
    if (!file) return;
    setPhoto(file);
    update({ photoName: file.name || 'photo.jpg' });
    void saveDraftPhoto(userId, file);
    setProblems((p) => ({ ...p, photo: undefined }));
  };

  const submit = async () => {
    // The product's rules (a photo, a place in the city, a category from the list) …
    const found = validateReport(draft, {
      hasPhoto: Boolean(photo),
      categories: codes,
      outsideCity: place.status === 'outside',
    });
    const messages: Partial<Record<ReportField, string>> = {};
    for (const [f, key] of Object.entries(found) as [ReportField, MessageKey | undefined][]) {
      if (key) messages[f] = t(key);
    }
    const category = categories.find((c) => c.code === draft.category);
    const key = newKey();
    const body = {
      category: draft.category,
      description: draft.description.trim() || category?.name || draft.category,
      location: draft.location ?? { lng: Number.NaN, lat: Number.NaN },
    };
    // … and the server's own request schema, on the body exactly as the queue will send it.
    if (draft.location) {
      const wire = { ...body, source: 'inspector', photos: ['queued-photo'], idempotencyKey: key };
      for (const e of validateBody('POST /api/v1/cases', wire)) {
        const f: ReportField | null = e.field.startsWith('location')
          ? 'location'
          : e.field === 'category' || e.field === 'description'
            ? e.field
            : null;
        if (f && !messages[f]) messages[f] = fieldMessage(t, e);
      }
    }
    setProblems(messages);
    if (Object.values(messages).some(Boolean) || !photo || !draft.location) return;
    const item: ReportItem = {
      kind: 'report',
      key,
      createdAt: new Date().toISOString(),
      state: 'queued',
      attempts: 0,
      body: { ...body, location: draft.location },
      photos: [{ blob: photo, name: draft.photoName ?? 'photo.jpg' }],
      selfHandle: draft.selfHandle,
    };
    await queue.add(item);
    setLastKey(item.key);
    await clearDraft(userId);
    setPhoto(null);
    setDraft({ ...loadDraft(userId), location: draft.location, corrected: false });
    setProblems({});
    // The banner with the item's state is at the top.
    (formRef.current?.closest('.insp') ?? formRef.current)?.scrollIntoView({ block: 'start' });
  };

  const placeText =
    place.status === 'done'
      ? `${place.label}${place.grid ? ` · ${t('insp.grid')} ${place.grid}` : ''}`
      : place.status === 'loading'
        ? t('insp.locating')
        : place.status === 'outside'
          ? t('insp.err.outside')
          : place.status === 'unknown'
            ? t('insp.placeOffline')
            : gps === 'denied' || gps === 'none'
              ? t('insp.gpsDenied')
              : t('insp.gpsWaiting');

  return (
    <form
      ref={formRef}
      className="insp-form"
      data-testid="report-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {sent && (
        <div className="insp-banner" data-testid="last-report">
          {sent.kind === 'report' && <span className="insp-banner__text">{sent.body.description}</span>}
          <ItemStatus item={sent} />
        </div>
      )}

      <section className="insp-step">
        <h2 className="insp-step__title">
          <span className="insp-step__n">1</span>
          {t('insp.photo')}
        </h2>
        <input
          ref={fileInput}
          type="file"
          accept="image/*"
          capture="environment"
          className="insp-file"
          data-testid="photo-input"
          onChange={(e) => pickPhoto(e.target.files?.[0])}
        />
        <button
          type="button"
          className={`insp-photo${problems.photo ? ' insp-photo--invalid' : ''}`}
          onClick={() => fileInput.current?.click()}
          data-testid="photo-button"
        >
          {photoUrl ? (
            <img src={photoUrl} alt={t('insp.photo')} />
          ) : (
            <span>
              <CameraIcon />
              {t('insp.takePhoto')}
            </span>
          )}
        </button>
        {problems.photo && <p className="insp-error">{problems.photo}</p>}
      </section>

      <section className="insp-step">
        <h2 className="insp-step__title">
          <span className="insp-step__n">2</span>
          {t('insp.location')}
        </h2>
        <InspectorMap
          testId="report-map"
          pin={pin}
          onPinMove={movePin}
          gridCode={place.status === 'done' ? place.grid : null}
        />
        <p className="insp-place" data-testid="report-place">
          {placeText}
          {draft.corrected && (
            <button
              type="button"
              className="btn btn-ghost insp-link"
              onClick={() => update({ corrected: false })}
            >
              {t('insp.useGps')}
            </button>
          )}
        </p>
        {problems.location && <p className="insp-error">{problems.location}</p>}
      </section>

      <section className="insp-step">
        <h2 className="insp-step__title">
          <span className="insp-step__n">3</span>
          {t('insp.category')}
        </h2>
        <CategoryPicker
          list={categories}
          value={draft.category}
          invalid={Boolean(problems.category)}
          onChange={(code) => {
            update({ category: code });
            setProblems((p) => ({ ...p, category: undefined }));
          }}
        />
        {problems.category && <p className="insp-error">{problems.category}</p>}
      </section>

      <section className="insp-step">
        <label className="insp-label" htmlFor="insp-description">
          {t('insp.description')}
        </label>
        <textarea
          id="insp-description"
          className={`insp-input${problems.description ? ' insp-input--invalid' : ''}`}
          rows={2}
          maxLength={descriptionMax + 100}
          value={draft.description}
          placeholder={t('insp.descriptionHint')}
          onChange={(e) => update({ description: e.target.value })}
        />
        {problems.description && <p className="insp-error">{problems.description}</p>}
        <label className="insp-check">
          <input
            type="checkbox"
            checked={draft.selfHandle}
            onChange={(e) => update({ selfHandle: e.target.checked })}
            data-testid="self-handle"
          />
          {t('insp.selfHandle')}
        </label>
      </section>

      <div className="insp-submit">
        <button type="submit" className="btn btn-primary btn-block" data-testid="report-submit">
          {queue.online ? t('insp.submit') : t('insp.submitOffline')}
        </button>
      </div>
    </form>
  );
}
