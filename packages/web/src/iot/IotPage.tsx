/**
 * 物联感知: the alarms of the user's area, live (acknowledge, see the reading that raised it, the
 * case it filed), and the devices with their status and readings. For operators, dispatchers,
 * department handlers, leaders and administrators; inspectors report from their own app.
 */
import { reasonInChinese } from '@onegrid/domain';
import { useCallback, useEffect, useRef, useState } from 'react';
import { apiErrorText } from '../admin/parts.tsx';
import type { User } from '../api/client.ts';
import { formatTime } from '../cases/parts.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import {
  type Alarm,
  type AlarmDetail,
  type AlarmQuery,
  acknowledge,
  type Device,
  type DeviceStatus,
  type DeviceType,
  deviceTypes,
  getAlarm,
  listAlarms,
  listDevices,
  type Point,
  readings,
  type Severity,
  severities,
  useAlarmStream,
} from './data.ts';
import { ReadingsChart } from './ReadingsChart.tsx';
import './iot.css';

type Tab = 'alarms' | 'devices';
type AlarmView = 'active' | 'unacked' | 'all';

export default function IotPage({ user }: { user: User }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<Tab>('alarms');
  const [types, setTypes] = useState<DeviceType[]>([]);
  const [counts, setCounts] = useState<Record<Severity, number> | null>(null);
  const [tick, setTick] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Several events in a burst (a rain storm) refresh once.
  const live = useAlarmStream(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setTick((n) => n + 1), 150);
  });

  useEffect(() => {
    deviceTypes()
      .then(setTypes)
      .catch(() => setTypes([]));
  }, []);
  useEffect(() => {
    void tick; // a live event recounts
    listAlarms({ active: true })
      .then((r) => {
        const c = { critical: 0, major: 0, minor: 0, warning: 0 };
        for (const a of r.items) c[a.severity] += 1;
        setCounts(c);
      })
      .catch(() => setCounts(null));
  }, [tick]);

  return (
    <div className="iot" data-testid="iot">
      <header className="iot-head">
        <h1 className="iot-title">{t('nav.iot')}</h1>
        <div className="iot-tabs" role="tablist">
          {(['alarms', 'devices'] as const).map((id) => (
            <button
              key={id}
              type="button"
              role="tab"
              className="iot-tab"
              data-tab={id}
              aria-selected={tab === id}
              onClick={() => setTab(id)}
            >
              {t(id === 'alarms' ? 'iot.alarms' : 'iot.devices')}
            </button>
          ))}
        </div>
        <div className="iot-counts" data-testid="iot-counts">
          {severities.map((s) => (
            <span key={s} className={`iot-sev iot-sev--${s}`} data-severity={s}>
              {t(`iot.sev.${s}`)} {counts?.[s] ?? '—'}
            </span>
          ))}
        </div>
        <span className="iot-live" data-testid="live" data-live={live ? 'true' : 'false'}>
          <span className="iot-live__dot" />
          {t(live ? 'iot.live' : 'iot.offline')}
        </span>
      </header>
      {tab === 'alarms' ? (
        <Alarms tick={tick} types={types} canAck={user.role !== 'inspector'} />
      ) : (
        <Devices types={types} tick={tick} />
      )}
    </div>
  );
}

function metricOf(types: DeviceType[], typeId: string, key?: string) {
  const ty = types.find((x) => x.id === typeId);
  const numeric = ty?.metrics.filter((m) => m.type === 'number') ?? [];
  return numeric.find((m) => m.key === key) ?? numeric[0];
}

/** A reading as a person reads it: numbers rounded, flags as 是/否 (never a raw `true`). */
function showValue(v: unknown, t: ReturnType<typeof useI18n>['t']): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (typeof v === 'boolean') return t(v ? 'iot.bool.true' : 'iot.bool.false');
  if (v === null || v === undefined) return '—';
  return String(v);
}

/** A metric's name in the reader's language (the key when the type does not list it). */
function metricNameOf(types: DeviceType[], typeId: string, lang: string) {
  const ty = types.find((x) => x.id === typeId);
  return (key: string) => {
    const m = ty?.metrics.find((x) => x.key === key);
    return lang === 'zh' && m?.name_zh ? m.name_zh : key;
  };
}

/** The rule engine's reason, in Chinese with the metrics' Chinese names when the UI is in 中文. */
function reasonText(reason: string, types: DeviceType[], typeId: string, lang: string): string {
  return lang === 'zh' ? reasonInChinese(reason, metricNameOf(types, typeId, lang)) : reason;
}

function Alarms({ tick, types, canAck }: { tick: number; types: DeviceType[]; canAck: boolean }) {
  const { t, lang } = useI18n();
  const [view, setView] = useState<AlarmView>('active');
  const [severity, setSeverity] = useState<Severity | ''>('');
  const [items, setItems] = useState<Alarm[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [detail, setDetail] = useState<AlarmDetail | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void tick; // a live event reloads the list
    const q: AlarmQuery = {
      ...(view === 'active' ? { active: true } : {}),
      ...(view === 'unacked' ? { acknowledged: false } : {}),
      ...(severity ? { severity } : {}),
    };
    listAlarms(q)
      .then((r) => {
        setItems(r.items);
        setTotal(r.total);
        setError(null);
      })
      .catch((e: unknown) => setError(apiErrorText(t, e)));
  }, [view, severity, tick, t]);

  const loadDetail = useCallback(
    (id: number) => {
      getAlarm(id)
        .then(setDetail)
        .catch((e: unknown) => setError(apiErrorText(t, e)));
    },
    [t],
  );
  useEffect(() => {
    void tick;
    if (selected !== null) loadDetail(selected);
  }, [selected, tick, loadDetail]);

  async function ack(a: AlarmDetail) {
    setBusy(true);
    try {
      await acknowledge(a.id);
      loadDetail(a.id);
    } catch (e) {
      setError(apiErrorText(t, e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="iot-body">
      <section className="iot-list" aria-label={t('iot.alarms')}>
        <div className="iot-filters">
          <select
            aria-label={t('iot.view')}
            value={view}
            onChange={(e) => setView(e.target.value as AlarmView)}
          >
            <option value="active">{t('iot.view.active')}</option>
            <option value="unacked">{t('iot.view.unacked')}</option>
            <option value="all">{t('iot.view.all')}</option>
          </select>
          <select
            aria-label={t('iot.severity')}
            value={severity}
            onChange={(e) => setSeverity(e.target.value as Severity | '')}
          >
            <option value="">{t('iot.sev.any')}</option>
            {severities.map((s) => (
              <option key={s} value={s}>
                {t(`iot.sev.${s}`)}
              </option>
            ))}
          </select>
          <span className="iot-total">{t('iot.total', { n: total })}</span>
        </div>
        {error && <p className="iot-error">{error}</p>}
        {items?.length === 0 && (
          <p className="iot-empty" data-testid="alarm-empty">
            {t('iot.noAlarms')}
          </p>
        )}
        <ul className="iot-items">
          {items?.map((a) => (
            <li key={a.id}>
              <button
                type="button"
                className={`iot-item${selected === a.id ? ' is-selected' : ''}`}
                data-testid="alarm-item"
                data-id={a.id}
                data-state={a.cleared ? 'cleared' : a.acknowledged ? 'acked' : 'active'}
                onClick={() => setSelected(a.id)}
              >
                <span className={`iot-sev iot-sev--${a.severity}`}>{t(`iot.sev.${a.severity}`)}</span>
                <span className="iot-item__main">
                  <strong>{a.ruleName}</strong>
                  <span>
                    {a.deviceName} · {showValue(a.lastValue, t)}{' '}
                    {typeof a.lastValue === 'number' ? (metricOf(types, a.deviceTypeId)?.unit ?? '') : ''}
                  </span>
                </span>
                <span className="iot-item__side">
                  <time>{formatTime(a.raisedAt, lang)}</time>
                  <AlarmState a={a} />
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section className="iot-detail" data-testid="alarm-detail" data-id={detail?.id ?? ''}>
        {detail ? (
          <AlarmPanel a={detail} types={types} canAck={canAck} busy={busy} onAck={() => void ack(detail)} />
        ) : (
          <p className="iot-empty">{t('iot.pickAlarm')}</p>
        )}
      </section>
    </div>
  );
}

function AlarmState({ a }: { a: Alarm }) {
  const { t } = useI18n();
  const key = a.cleared ? 'iot.state.cleared' : a.acknowledged ? 'iot.state.acked' : 'iot.state.active';
  return (
    <span className={`iot-state iot-state--${a.cleared ? 'cleared' : a.acknowledged ? 'acked' : 'active'}`}>
      {t(key)}
    </span>
  );
}

function AlarmPanel({
  a,
  types,
  canAck,
  busy,
  onAck,
}: {
  a: AlarmDetail;
  types: DeviceType[];
  canAck: boolean;
  busy: boolean;
  onAck(): void;
}) {
  const { t, lang } = useI18n();
  const detail = a.detail as { reason?: string; metric?: string };
  const metric = metricOf(types, a.deviceTypeId, detail.metric);
  const ty = types.find((x) => x.id === a.deviceTypeId);
  return (
    <div className="iot-panel">
      <div className="iot-panel__head">
        <span className={`iot-sev iot-sev--${a.severity}`}>{t(`iot.sev.${a.severity}`)}</span>
        <h2>{a.ruleName}</h2>
        <AlarmState a={a} />
        {canAck && !a.acknowledged && (
          <button type="button" className="btn btn-primary" data-testid="ack" disabled={busy} onClick={onAck}>
            {t('iot.ack')}
          </button>
        )}
      </div>
      {detail.reason && (
        <p className="iot-reason" data-testid="alarm-reason">
          {reasonText(detail.reason, types, a.deviceTypeId, lang)}
        </p>
      )}
      <dl className="iot-facts">
        <dt>{t('iot.device')}</dt>
        <dd>
          {a.deviceName} <code>{a.deviceId}</code>
        </dd>
        <dt>{t('iot.type')}</dt>
        <dd>{ty ? (lang === 'zh' ? ty.nameZh : ty.nameEn) : a.deviceTypeId}</dd>
        <dt>{t('iot.grid')}</dt>
        <dd>{a.areaCode ?? '—'}</dd>
        <dt>{t('iot.value')}</dt>
        <dd>
          {showValue(a.lastValue, t)} {typeof a.lastValue === 'number' ? (metric?.unit ?? '') : ''}
        </dd>
        <dt>{t('iot.raisedAt')}</dt>
        <dd>
          {formatTime(a.raisedAt, lang)}
          {a.updateCount > 0 && ` · ${t('iot.updates', { n: a.updateCount })}`}
        </dd>
        {a.acknowledgedAt && (
          <>
            <dt>{t('iot.ackedAt')}</dt>
            <dd>{formatTime(a.acknowledgedAt, lang)}</dd>
          </>
        )}
        {a.clearedAt && (
          <>
            <dt>{t('iot.clearedAt')}</dt>
            <dd>{formatTime(a.clearedAt, lang)}</dd>
          </>
        )}
        <dt>{t('iot.case')}</dt>
        <dd data-testid="alarm-case">
          {a.caseId !== null ? (
            <a href={`#/cases/${a.caseId}`}>{a.caseNumber ?? a.caseId}</a>
          ) : (
            t('iot.noCase')
          )}
        </dd>
      </dl>
      {metric && (
        <MetricChart
          deviceId={a.deviceId}
          metric={metric.key}
          label={lang === 'zh' ? metric.name_zh : undefined}
          unit={metric.unit}
          hours={24}
          testId="alarm-chart"
        />
      )}
      <h3 className="iot-sub">{t('iot.history')}</h3>
      <ol className="iot-events" data-testid="alarm-events">
        {a.events.map((ev) => (
          <li key={ev.id} data-kind={ev.kind}>
            <time>{formatTime(ev.at, lang)}</time>
            <span>{t(`iot.event.${ev.kind}` as 'iot.event.raised')}</span>
            {typeof (ev.detail as { reason?: unknown }).reason === 'string' && (
              <small>
                {reasonText((ev.detail as { reason: string }).reason, types, a.deviceTypeId, lang)}
              </small>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}

function MetricChart({
  deviceId,
  metric,
  label,
  unit,
  hours,
  testId,
}: {
  deviceId: string;
  metric: string;
  label?: string | undefined;
  unit: string;
  hours: number;
  testId: string;
}) {
  const { t } = useI18n();
  const [points, setPoints] = useState<Point[] | null>(null);
  useEffect(() => {
    readings(deviceId, metric, hours)
      .then(setPoints)
      .catch(() => setPoints([]));
  }, [deviceId, metric, hours]);
  return (
    <figure className="iot-figure">
      <figcaption>
        {label ?? metric} · {t('iot.lastHours', { n: hours })}
      </figcaption>
      {points && points.length === 0 ? (
        <p className="iot-empty">{t('iot.noReadings')}</p>
      ) : (
        <ReadingsChart points={points ?? []} unit={unit} testId={testId} />
      )}
    </figure>
  );
}

function Devices({ types, tick }: { types: DeviceType[]; tick: number }) {
  const { t, lang } = useI18n();
  const [status, setStatus] = useState<DeviceStatus | ''>('');
  const [type, setType] = useState('');
  const [q, setQ] = useState('');
  const [items, setItems] = useState<Device[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Device | null>(null);

  useEffect(() => {
    void tick;
    const handle = setTimeout(() => {
      listDevices({
        ...(status ? { status } : {}),
        ...(type ? { type } : {}),
        ...(q.trim() ? { q: q.trim() } : {}),
      })
        .then((r) => {
          setItems(r.items);
          setTotal(r.total);
          setError(null);
        })
        .catch((e: unknown) => setError(apiErrorText(t, e)));
    }, 200);
    return () => clearTimeout(handle);
  }, [status, type, q, tick, t]);

  const typeName = (id: string) => {
    const ty = types.find((x) => x.id === id);
    return ty ? (lang === 'zh' ? ty.nameZh : ty.nameEn) : id;
  };
  return (
    <div className="iot-body">
      <section className="iot-list" aria-label={t('iot.devices')}>
        <div className="iot-filters">
          <input
            type="search"
            aria-label={t('iot.search')}
            placeholder={t('iot.search')}
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
          <select aria-label={t('iot.type')} value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">{t('iot.anyType')}</option>
            {types.map((ty) => (
              <option key={ty.id} value={ty.id}>
                {lang === 'zh' ? ty.nameZh : ty.nameEn}
              </option>
            ))}
          </select>
          <select
            aria-label={t('iot.status')}
            value={status}
            onChange={(e) => setStatus(e.target.value as DeviceStatus | '')}
          >
            <option value="">{t('iot.anyStatus')}</option>
            {(['online', 'offline', 'disabled'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`iot.status.${s}`)}
              </option>
            ))}
          </select>
          <span className="iot-total">{t('iot.total', { n: total })}</span>
        </div>
        {error && <p className="iot-error">{error}</p>}
        {items?.length === 0 && <p className="iot-empty">{t('iot.noDevices')}</p>}
        <ul className="iot-items">
          {items?.map((d) => (
            <li key={d.id}>
              <button
                type="button"
                className={`iot-item${selected?.id === d.id ? ' is-selected' : ''}`}
                data-testid="device-item"
                data-id={d.id}
                data-status={d.status}
                onClick={() => setSelected(d)}
              >
                <span className={`iot-dot iot-dot--${d.status}`} title={t(`iot.status.${d.status}`)} />
                <span className="iot-item__main">
                  <strong>{d.name}</strong>
                  <span>{typeName(d.typeId)}</span>
                </span>
                <span className="iot-item__side">
                  <span className={`iot-state iot-state--${d.status}`}>{t(`iot.status.${d.status}`)}</span>
                  <time>{d.lastSeenAt ? formatTime(d.lastSeenAt, lang) : '—'}</time>
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section className="iot-detail" data-testid="device-detail" data-id={selected?.id ?? ''}>
        {selected ? (
          <div className="iot-panel">
            <div className="iot-panel__head">
              <span className={`iot-dot iot-dot--${selected.status}`} />
              <h2>{selected.name}</h2>
              <span className={`iot-state iot-state--${selected.status}`}>
                {t(`iot.status.${selected.status}`)}
              </span>
            </div>
            <dl className="iot-facts">
              <dt>{t('iot.device')}</dt>
              <dd>
                <code>{selected.id}</code>
              </dd>
              <dt>{t('iot.type')}</dt>
              <dd>{typeName(selected.typeId)}</dd>
              <dt>{t('iot.grid')}</dt>
              <dd>{selected.unitGridCode ?? '—'}</dd>
              <dt>{t('iot.owner')}</dt>
              <dd>{selected.ownerDeptCode ?? '—'}</dd>
              <dt>{t('iot.lastSeen')}</dt>
              <dd>{selected.lastSeenAt ? formatTime(selected.lastSeenAt, lang) : '—'}</dd>
            </dl>
            {(types.find((x) => x.id === selected.typeId)?.metrics ?? [])
              .filter((m) => m.type === 'number')
              .map((m) => (
                <MetricChart
                  key={`${selected.id}:${m.key}`}
                  deviceId={selected.id}
                  metric={m.key}
                  label={lang === 'zh' ? m.name_zh : undefined}
                  unit={m.unit}
                  hours={24}
                  testId={`device-chart-${m.key}`}
                />
              ))}
          </div>
        ) : (
          <p className="iot-empty">{t('iot.pickDevice')}</p>
        )}
      </section>
    </div>
  );
}
