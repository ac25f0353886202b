/**
 * The one way the web app talks to the server: the typed client of `@onegrid/client` (generated from
 * the server's OpenAPI document by `npm run gen:api`), with this page's session token. No
 * hand-written fetches.
 */

import type { components } from '@onegrid/client';
import { createApiClient } from '@onegrid/client';

export type { components, ErrorBody, ErrorCode, paths } from '@onegrid/client';
export { ApiError, toApiError, unwrap } from '@onegrid/client';
export type User = components['schemas']['User'];

let token: string | null = null;
const unauthorizedListeners = new Set<() => void>();

/** The bearer token sent with every call (and with map tile requests). */
export function setToken(next: string | null): void {
  token = next;
}
export function getToken(): string | null {
  return token;
}

/** Called when the server answers 401 to a call made with a token: the session has ended. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}
export function notifyUnauthorized(): void {
  for (const l of unauthorizedListeners) l();
}

export const api = createApiClient({ baseUrl: '', token: () => token, onUnauthorized: notifyUnauthorized });
