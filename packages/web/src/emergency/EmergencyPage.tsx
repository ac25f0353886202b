/**
 * 应急指挥 · 防汛防台 · 值班值守: the incidents in scope with the one chosen (its map, steps,
 * resources, reports, roster and timeline), the flood and typhoon page, and the duty desk. Live from
 * the event stream: a proposal from a plan's trigger appears without a reload.
 */
import { incidentStatusNames, type Role, resourceKindNames, resourceStatusNames } from '@onegrid/domain';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, type User, unwrap } from '../api/client.ts';
import { CaseMap, type CasePoint } from '../cases/CaseMap.tsx';
import { DutyPanel } from './DutyPanel.tsx';
import {
  type Incident,
  type IncidentSummary,
  loadIncident,
  loadIncidents,
  loadResources,
  type Resource,
  useEmergencyStream,
} from './data.ts';
import { IncidentView, LevelBadge } from './IncidentView.tsx';
import { useEm } from './i18n.ts';
import './emergency.css';

type Tab = 'incidents' | 'flood' | 'duty';

/** Map points: the incident, its alarms and cases, resources (dispatched ones stand out). */
function points(i: Incident | null, resources: Resource[]): CasePoint[] {
  const out: CasePoint[] = [];
  if (!i) return out;
  if (i.lng !== null && i.lat !== null) out.push({ id: 1, lng: i.lng, lat: i.lat, tone: 'urgent' });
  for (const a of i.alarms)
    if (a.lng !== null && a.lat !== null)
      out.push({ id: 100_000 + a.id, lng: a.lng, lat: a.lat, tone: 'overdue' });
  for (const r of resources) {
    const out_ = i.dispatches.some((d) => d.resourceId === r.id && !d.releasedAt);
    out.push({
      id: 1_000_000 + r.id,
      lng: r.lng,
      lat: r.lat,
      tone: out_ ? 'warning' : r.status === 'available' ? 'ok' : 'closed',
    });
  }
  return out;
}

export default function EmergencyPage({ user }: { user: User }) {
  const { e, lang } = useEm();
  const [tab, setTab] = useState<Tab>(() => (window.location.hash.includes('flood') ? 'flood' : 'incidents'));
  const [list, setList] = useState<IncidentSummary[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [incident, setIncident] = useState<Incident | null>(null);
  const [resources, setResources] = useState<Resource[]>([]);

  const reload = useCallback(async () => {
    const items = await loadIncidents();
    setList(items);
    setSelected(
      (cur) =>
        cur ??
        items.find((x) => x.status === 'active' || x.status === 'proposed')?.id ??
        items[0]?.id ??
        null,
    );
  }, []);
  useEffect(() => {
    void reload();
    void loadResources().then(setResources);
  }, [reload]);
  useEffect(() => {
    if (selected === null) return;
    void loadIncident(selected).then(setIncident);
  }, [selected]);
  useEmergencyStream((topic, data) => {
    if (!topic.startsWith('emergency.')) return;
    void reload();
    void loadResources().then(setResources);
    if (data.incidentId === selected && selected !== null) void loadIncident(selected).then(setIncident);
  });
  const mapPoints = useMemo(() => points(incident, resources), [incident, resources]);

  return (
    <div className="em" data-testid="emergency">
      <header className="em-head">
        <h1>{e('title')}</h1>
        <div className="em-tabs" role="tablist">
          {(['incidents', 'flood', 'duty'] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              data-testid={`tab-${t}`}
              onClick={() => setTab(t)}
            >
              {e(`tab.${t}`)}
            </button>
          ))}
        </div>
      </header>

      {tab === 'incidents' && (
        <div className="em-body">
          <aside className="em-side">
            <h2>{e('open')}</h2>
            {list?.length === 0 && <p className="em-muted">{e('none')}</p>}
            <ul className="em-incidents" data-testid="incident-list">
              {list?.map((x) => (
                <li key={x.id}>
                  <button
                    type="button"
                    aria-current={x.id === selected}
                    data-status={x.status}
                    onClick={() => setSelected(x.id)}
                  >
                    <LevelBadge level={x.level} drill={x.drill} />
                    <span className="em-grow">{x.title}</span>
                    <small>{incidentStatusNames[x.status][lang]}</small>
                  </button>
                </li>
              ))}
            </ul>
            <div className="em-map">
              <CaseMap points={mapPoints} selected={incident ? 1 : null} zoom={14} />
            </div>
          </aside>
          <main className="em-main">
            {incident && (
              <IncidentView
                key={incident.id}
                incident={incident}
                role={user.role as Role}
                departmentCode={user.departmentCode}
                onChanged={(next) => {
                  setIncident(next);
                  void reload();
                  void loadResources().then(setResources);
                }}
              />
            )}
          </main>
        </div>
      )}
      {tab === 'flood' && <FloodPanel resources={resources} />}
      {tab === 'duty' && <DutyPanel user={user} />}
    </div>
  );
}

type Alarm = Awaited<ReturnType<typeof loadWaterAlarms>>[number];
const loadWaterAlarms = async () =>
  (await unwrap(api.GET('/api/v1/alarms', { params: { query: { active: true, limit: 200 } } }))).items.filter(
    (a) => a.deviceTypeId === 'water-depth',
  );
const loadWaterCases = async () =>
  (
    await unwrap(
      api.GET('/api/v1/cases', {
        params: {
          query: {
            category: '01072',
            status: 'reported,verifying,filed,dispatched,handling,handled,checked,suspended',
            pageSize: 50,
          },
        },
      }),
    )
  ).items;

/** 防汛防台: standing water and water levels, pumps, standing-water cases. */
function FloodPanel({ resources }: { resources: Resource[] }) {
  const { e, lang } = useEm();
  const [alarms, setAlarms] = useState<Alarm[] | null>(null);
  const [cases, setCases] = useState<Awaited<ReturnType<typeof loadWaterCases>> | null>(null);
  useEffect(() => {
    void loadWaterAlarms()
      .then(setAlarms)
      .catch(() => setAlarms([]));
    void loadWaterCases()
      .then(setCases)
      .catch(() => setCases([]));
  }, []);
  const pumps = resources.filter((r) => r.kind === 'pump');
  // The alarm keeps the value that raised it: a number, or the readings by metric.
  const depth = (v: unknown) => {
    const o = v as { depth?: unknown; value?: unknown } | null;
    const d = typeof v === 'number' ? v : typeof o?.depth === 'number' ? o.depth : o?.value;
    return typeof d === 'number' ? `${Math.round(d)} ${lang === 'zh' ? '厘米' : 'cm'}` : '—';
  };
  return (
    <div className="em-flood" data-testid="flood">
      <section className="em-box">
        <h3>{e('rainfall')}</h3>
        <p className="em-muted">
          {lang === 'zh'
            ? '暂无雨量站接入；以积水监测和案件研判为准。'
            : 'No rain gauges connected; standing-water sensors and cases are the signal.'}
        </p>
      </section>
      <section className="em-box">
        <h3>
          {e('waterLevels')} <small>{alarms?.length ?? 0}</small>
        </h3>
        <table className="em-table" data-testid="water-alarms">
          <tbody>
            {alarms?.map((a) => (
              <tr key={a.id} className={a.severity === 'critical' ? 'is-critical' : ''}>
                <td>{a.deviceName}</td>
                <td className="em-nowrap">{depth(a.lastValue)}</td>
                <td>{a.caseNumber ?? '—'}</td>
              </tr>
            ))}
            {alarms?.length === 0 && (
              <tr>
                <td className="em-muted">{e('noData')}</td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
      <section className="em-box">
        <h3>
          {e('pumps')} <small>{pumps.length}</small>
        </h3>
        <table className="em-table" data-testid="pumps">
          <tbody>
            {pumps.map((p) => (
              <tr key={p.id}>
                <td>{p.name}</td>
                <td className="em-nowrap">{resourceStatusNames[p.status][lang]}</td>
                <td className="em-nowrap">{p.capacity !== null ? `${p.capacity} m³/h` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="em-muted">
          {(['team', 'stockpile', 'shelter'] as const)
            .map((k) => `${resourceKindNames[k][lang]} ${resources.filter((r) => r.kind === k).length}`)
            .join(' · ')}
        </p>
      </section>
      <section className="em-box">
        <h3>
          {e('standingWater')} <small>{cases?.length ?? 0}</small>
        </h3>
        <ul className="em-list" data-testid="water-cases">
          {cases?.map((c) => (
            <li key={c.id}>
              <a href={`#/cases/${c.id}`}>{c.number}</a> · {c.address ?? c.description}
            </li>
          ))}
          {cases?.length === 0 && <li className="em-muted">{e('noData')}</li>}
        </ul>
      </section>
    </div>
  );
}
