/**
 * Replay (历史回放): a time slider over the last 24 hours or a chosen day. What was open when the
 * window began, with the window's case steps and alarm raises/clears folded in up to the slider's
 * time, is what was on the map then.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { loadReplay, type ReplayEvent } from './data.ts';

const finished = new Set(['closed', 'rejected', 'merged']);
const steps = 1440;

export interface ReplayView {
  at: number;
  open: number;
  alarms: number;
  data: GeoJSON.FeatureCollection;
}

/**
 * What was on the map at `at`: the cases and alarms open at the window's start (`initial`), with the
 * window's events folded in up to `at`; those that changed lately stand out.
 */
export function stateAt(
  initial: ReplayEvent[],
  events: ReplayEvent[],
  at: number,
  recentMs: number,
): ReplayView {
  const cases = new Map<number, ReplayEvent>();
  const alarms = new Map<number, ReplayEvent>();
  for (const e of initial) (e.kind === 'case' ? cases : alarms).set(e.id, e);
  const touched = new Map<string, number>();
  for (const e of events) {
    const when = Date.parse(e.at);
    if (when > at) break;
    if (e.kind === 'case') {
      if (e.status && finished.has(e.status)) cases.delete(e.id);
      else cases.set(e.id, e);
      touched.set(`c${e.id}`, when);
    } else {
      if (e.action === 'cleared') alarms.delete(e.id);
      else alarms.set(e.id, e);
      touched.set(`a${e.id}`, when);
    }
  }
  const feature = (e: ReplayEvent, key: string): GeoJSON.Feature => ({
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [e.lng, e.lat] },
    properties: {
      kind: e.kind,
      severity: e.severity ?? '',
      u: e.urgent ? 1 : 0,
      o: 0,
      recent: at - (touched.get(key) ?? 0) < recentMs ? 1 : 0,
    },
  });
  return {
    at,
    open: cases.size,
    alarms: alarms.size,
    data: {
      type: 'FeatureCollection',
      features: [
        ...[...cases.values()].map((e) => feature(e, `c${e.id}`)),
        ...[...alarms.values()].map((e) => feature(e, `a${e.id}`)),
      ],
    },
  };
}

function shanghaiDay(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export function ReplayBar({
  area,
  view,
  onChange,
}: {
  area: string | undefined;
  view: ReplayView | null;
  onChange(v: ReplayView | null): void;
}) {
  const { t } = useI18n();
  const [day, setDay] = useState<string>(''); // '' = the last 24 hours
  const [span, setSpan] = useState<{ from: number; to: number } | null>(null);
  const [events, setEvents] = useState<ReplayEvent[] | null>(null);
  const [initial, setInitial] = useState<ReplayEvent[]>([]);
  const [truncated, setTruncated] = useState(false);
  const [pos, setPos] = useState(steps);
  const [playing, setPlaying] = useState(false);
  const active = view !== null || span !== null;
  const changed = useRef(onChange);
  changed.current = onChange;

  async function start(chosen: string) {
    const now = Date.now();
    const from = chosen ? Date.parse(`${chosen}T00:00:00+08:00`) : now - 86_400_000;
    const to = chosen ? from + 86_400_000 : now;
    setSpan({ from, to });
    setEvents(null);
    setPlaying(false);
    const r = await loadReplay(new Date(from).toISOString(), new Date(to).toISOString(), area).catch(
      () => null,
    );
    setInitial(r?.initial ?? []);
    setEvents(r?.events ?? []);
    setTruncated(r?.truncated ?? false);
    setPos(chosen ? steps : 0);
  }
  function stop() {
    setSpan(null);
    setEvents(null);
    setPlaying(false);
    changed.current(null);
  }

  const at = span ? span.from + ((span.to - span.from) * pos) / steps : 0;
  useEffect(() => {
    if (!span || !events) return;
    changed.current(stateAt(initial, events, at, (span.to - span.from) / 96));
  }, [span, initial, events, at]);
  useEffect(() => {
    if (!playing) return;
    const h = setInterval(() => setPos((p) => (p >= steps ? steps : p + 6)), 100);
    return () => clearInterval(h);
  }, [playing]);
  useEffect(() => {
    if (pos >= steps) setPlaying(false);
  }, [pos]);

  const stamp = useMemo(
    () => (span ? new Date(at).toLocaleString('zh-CN', { hour12: false }) : ''),
    [span, at],
  );

  if (!active) {
    return (
      <div className="cmd-replay">
        <button
          type="button"
          className="cmd-btn"
          data-testid="cmd-replay-open"
          onClick={() => void start('')}
        >
          ⟲ {t('cmd.replay')} · {t('cmd.replay.last24')}
        </button>
      </div>
    );
  }
  return (
    <div className="cmd-replay is-open" data-testid="cmd-replay">
      <button
        type="button"
        className="cmd-btn"
        onClick={() => setPlaying((p) => !p)}
        disabled={!events}
        data-testid="cmd-replay-play"
      >
        {playing ? `❚❚ ${t('cmd.replay.pause')}` : `▶ ${t('cmd.replay.play')}`}
      </button>
      <label className="cmd-replay__day">
        {t('cmd.replay.day')}
        <input
          type="date"
          value={day}
          max={shanghaiDay(new Date())}
          data-testid="cmd-replay-day"
          onChange={(e) => {
            setDay(e.target.value);
            void start(e.target.value);
          }}
        />
      </label>
      <input
        className="cmd-replay__slider"
        type="range"
        min={0}
        max={steps}
        value={pos}
        data-testid="cmd-replay-slider"
        aria-label={t('cmd.replay')}
        onChange={(e) => {
          setPlaying(false);
          setPos(Number(e.target.value));
        }}
      />
      <span className="cmd-replay__time" data-testid="cmd-replay-time">
        {stamp}
      </span>
      <span
        className="cmd-replay__count"
        data-testid="cmd-replay-state"
        data-open={view?.open ?? ''}
        data-alarms={view?.alarms ?? ''}
      >
        {events === null
          ? t('cmd.replay.loading')
          : `${t('cmd.replay.onMap', { open: view?.open ?? 0, alarms: view?.alarms ?? 0 })} · ${
              truncated
                ? t('cmd.replay.truncated', { n: events.length })
                : t('cmd.replay.events', { n: events.length })
            }`}
      </span>
      <button type="button" className="cmd-btn" onClick={stop} data-testid="cmd-replay-exit">
        {t('cmd.replay.exit')}
      </button>
    </div>
  );
}
