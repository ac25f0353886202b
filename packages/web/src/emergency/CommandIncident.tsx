/**
 * Incident mode on the command screen: while an incident is open in the screen's scope, a panel
 * with its level, plan steps and their state, resources dispatched and their distance, the next
 * report due and who is on duty; the incident and the resources are marked on the map.
 */
import { incidentStatusNames, reportKindNames, resourceKindNames } from '@onegrid/domain';
import { type MapLibreMap, Marker } from 'maplibre-gl';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Panel } from '../command/panels.tsx';
import { type Incident, loadIncident, loadIncidents, useEmergencyStream } from './data.ts';
import { LevelBadge } from './IncidentView.tsx';
import './emergency.css';
import { distanceText, timeText, useEm } from './i18n.ts';

export function CommandIncident({ map }: { map: MapLibreMap | null }) {
  const { e, lang } = useEm();
  const [incident, setIncident] = useState<Incident | null>(null);
  const reload = useCallback(async () => {
    try {
      const open = await loadIncidents(true);
      const pick = open.find((x) => x.status === 'active') ?? open[0];
      setIncident(pick ? await loadIncident(pick.id) : null);
    } catch {
      setIncident(null); // a role without emergency reading: no incident mode
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  useEmergencyStream((topic) => {
    if (topic.startsWith('emergency.')) void reload();
  });

  const markers = useRef<Marker[]>([]);
  useEffect(() => {
    for (const m of markers.current.splice(0)) m.remove();
    if (!map || !incident || incident.lng === null || incident.lat === null) return;
    const mark = (cls: string, lng: number, lat: number, title: string) => {
      const el = document.createElement('div');
      el.className = cls;
      el.title = title;
      markers.current.push(new Marker({ element: el }).setLngLat([lng, lat]).addTo(map));
    };
    mark('em-cmd-incident', incident.lng, incident.lat, incident.title);
    for (const d of incident.dispatches) {
      if (!d.releasedAt) mark('em-cmd-resource', d.lng, d.lat, d.name);
    }
    return () => {
      for (const m of markers.current.splice(0)) m.remove();
    };
  }, [map, incident]);

  if (!incident) return null;
  const done = incident.tasks.filter((t) => t.status === 'done').length;
  return (
    <Panel
      title={`${e('incidentMode')} · ${incidentStatusNames[incident.status][lang]}`}
      testId="cmd-incident"
      className="em-cmd"
    >
      <div className="em-cmd__head" data-status={incident.status} data-id={incident.id}>
        <LevelBadge level={incident.level} drill={incident.drill} />
        <a href="#/emergency" className="em-cmd__title">
          {incident.title}
        </a>
      </div>
      {incident.tasks.length > 0 && (
        <>
          <div className="em-cmd__sub">
            {e('steps')} {done}/{incident.tasks.length}
          </div>
          <ol className="em-cmd__tasks" data-testid="cmd-incident-tasks">
            {incident.tasks.map((t) => (
              <li key={t.id} className={t.status === 'done' ? 'is-done' : t.overdue ? 'is-late' : ''}>
                {t.status === 'done' ? '✓' : '○'} {t.title}{' '}
                <small className="em-cmd__dept">{t.departmentName ?? ''}</small>
              </li>
            ))}
          </ol>
        </>
      )}
      {incident.dispatches.length > 0 && (
        <ul className="em-cmd__list" data-testid="cmd-incident-resources">
          {incident.dispatches.map((d) => (
            <li key={d.id}>
              {resourceKindNames[d.kind][lang]} {d.name} · {distanceText(d.distanceM, lang)}
            </li>
          ))}
        </ul>
      )}
      {incident.nextReport && (
        <div className={`em-cmd__sub${incident.nextReport.overdue ? ' is-late' : ''}`}>
          {e('nextReport')} {reportKindNames[incident.nextReport.kind][lang]} ·{' '}
          {timeText(incident.nextReport.dueAt)}
        </div>
      )}
      {incident.reports.length > 0 && (
        <div className="em-cmd__sub" data-testid="cmd-incident-reports">
          {e('reports')}：{incident.reports.map((r) => reportKindNames[r.kind][lang]).join('、')}
        </div>
      )}
      <div className="em-cmd__sub">
        {e('roster')}：
        {incident.onDuty.platform
          ? incident.onDuty.onDuty.map((s) => `${s.displayName}（${e(s.post)}）`).join('、')
          : e('nobodyOnDuty')}
      </div>
    </Panel>
  );
}
