/** The emergency and duty API, typed from the generated client. */
import { api, type components, unwrap } from '../api/client.ts';
import { useEventStream } from '../api/stream.ts';

export type Incident = components['schemas']['EmergencyIncident'];
export type IncidentSummary = components['schemas']['EmergencyIncidentSummary'];
export type Resource = components['schemas']['EmergencyResource'];
export type Plan = components['schemas']['EmergencyPlan'];
export type DutyNow = components['schemas']['DutyNow'];
export type DutyLogEntry = components['schemas']['DutyLogEntry'];
export type ResourceKind = Resource['kind'];

export const loadIncidents = (open = false) =>
  unwrap(api.GET('/api/v1/emergency/incidents', { params: { query: open ? { open: true } : {} } }));
export const loadIncident = (id: number) =>
  unwrap(api.GET('/api/v1/emergency/incidents/{id}', { params: { path: { id } } }));
export const loadPlans = () => unwrap(api.GET('/api/v1/emergency/plans'));
export const loadResources = (kind?: ResourceKind) =>
  unwrap(api.GET('/api/v1/emergency/resources', { params: { query: kind ? { kind } : {} } }));
export const loadNearest = (lng: number, lat: number, kind?: ResourceKind, limit = 5) =>
  unwrap(
    api.GET('/api/v1/emergency/resources/nearest', {
      params: { query: { lng, lat, limit, ...(kind ? { kind } : {}) } },
    }),
  );
export const loadDutyNow = (area?: string) =>
  unwrap(api.GET('/api/v1/duty/now', { params: { query: area ? { area } : {} } }));
export const loadDutyLog = (area?: string) =>
  unwrap(api.GET('/api/v1/duty/log', { params: { query: { limit: 30, ...(area ? { area } : {}) } } }));

const path = (id: number) => ({ params: { path: { id } } });
export const act = {
  activate: (id: number, planId: number, level: number) =>
    unwrap(api.POST('/api/v1/emergency/incidents/{id}/activate', { ...path(id), body: { planId, level } })),
  dismiss: (id: number, note: string) =>
    unwrap(api.POST('/api/v1/emergency/incidents/{id}/dismiss', { ...path(id), body: { note } })),
  standDown: (id: number, note: string) =>
    unwrap(api.POST('/api/v1/emergency/incidents/{id}/stand-down', { ...path(id), body: { note } })),
  report: (id: number, kind: 'first' | 'update' | 'final', text: string) =>
    unwrap(api.POST('/api/v1/emergency/incidents/{id}/reports', { ...path(id), body: { kind, text } })),
  dispatch: (id: number, resourceId: number) =>
    unwrap(api.POST('/api/v1/emergency/incidents/{id}/dispatch', { ...path(id), body: { resourceId } })),
  taskDone: (id: number, taskId: number, feedback: string) =>
    unwrap(
      api.POST('/api/v1/emergency/incidents/{id}/tasks/{taskId}/done', {
        params: { path: { id, taskId } },
        body: { feedback },
      }),
    ),
  handover: (id: number, note: string) =>
    unwrap(api.POST('/api/v1/duty/shifts/{id}/handover', { ...path(id), body: { note } })),
  log: (areaCode: string, text: string) =>
    unwrap(api.POST('/api/v1/duty/log', { body: { areaCode, kind: 'note', text } })),
};

const topics = [
  'emergency.proposed',
  'emergency.opened',
  'emergency.activated',
  'emergency.level',
  'emergency.dismissed',
  'emergency.stood-down',
  'emergency.linked',
  'emergency.task',
  'emergency.dispatch',
  'emergency.report',
  'emergency.resource',
  'duty.log',
  'duty.roster',
];

/** Calls `onChange` on every emergency or duty event in the user's area (SSE). */
export function useEmergencyStream(
  onChange: (topic: string, data: Record<string, unknown>) => void,
): boolean {
  return useEventStream('emergency,duty', topics, onChange);
}
