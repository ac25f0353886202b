/** Cases on the client: types from the generated schema, calls through the typed client, live updates. */
import { caseActionNames } from '@onegrid/domain';
import { useEffect, useState } from 'react';
import { api, type components, type paths, unwrap } from '../api/client.ts';
import { useEventStream } from '../api/stream.ts';

export type Case = components['schemas']['Case'];
export type CaseQuery = {
  status?: string;
  category?: string;
  area?: string;
  source?: string;
  from?: string;
  to?: string;
  overdue?: boolean;
  warning?: boolean;
  pending?: 'return' | 'extension' | 'suspension';
  mine?: boolean;
  q?: string;
  pageSize?: number;
};

export async function listCases(query: CaseQuery): Promise<Case[]> {
  const r = await unwrap(api.GET('/api/v1/cases', { params: { query: { pageSize: 100, ...query } } }));
  return r.items;
}

export function getCase(id: number): Promise<Case> {
  return unwrap(api.GET('/api/v1/cases/{id}', { params: { path: { id } } }));
}

export type ActionName = (typeof caseActionNames)[number];
export type ActionBody = Omit<
  NonNullable<paths['/api/v1/cases/{id}/{action}']['post']['requestBody']>['content']['application/json'],
  'version'
>;

export function actOn(c: Case, action: ActionName, body: ActionBody): Promise<Case> {
  return unwrap(
    api.POST('/api/v1/cases/{id}/{action}', {
      params: { path: { id: c.id, action } },
      body: { ...body, version: c.version },
    }),
  );
}

export function duplicatesOf(id: number) {
  return unwrap(api.GET('/api/v1/cases/{id}/duplicates', { params: { path: { id }, query: {} } }));
}

/** Uploads one photo; its id goes into a report's or an action's `photos`. */
export async function uploadPhoto(file: File): Promise<string> {
  const form = new FormData();
  form.append('file', file, file.name);
  // The route reads multipart, which the OpenAPI document does not describe; openapi-fetch sends FormData as is.
  const r = await unwrap(api.POST('/api/v1/attachments', { body: form as never }));
  return r.id;
}

/** An attachment shown in an <img>: fetched with the bearer token into a blob URL. */
export function useAttachmentUrl(id: string): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let revoked = false;
    let objectUrl: string | null = null;
    api
      .GET('/api/v1/attachments/{id}', { params: { path: { id } }, parseAs: 'blob' })
      .then(({ data }) => {
        if (!(data instanceof Blob) || revoked) return;
        objectUrl = URL.createObjectURL(data);
        setUrl(objectUrl);
      })
      .catch(() => undefined);
    return () => {
      revoked = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [id]);
  return url;
}

export interface CaseEvent {
  id: number;
  number: string;
  action: string;
  status: string;
  version: number;
  category: string;
  districtCode: string;
  lng: number;
  lat: number;
  at: string;
}

const eventNames = ['case.report', ...caseActionNames.map((a) => `case.${a}`)];

/** Case changes in the user's area (`case.<action>`), live; returns whether the stream is connected. */
export function useCaseStream(onEvent: (e: CaseEvent) => void): boolean {
  return useEventStream('case', eventNames, (_name, data) => onEvent(data as unknown as CaseEvent));
}
