/**
 * OneGrid's API client: openapi-fetch typed by `schema.d.ts`, which `npm run gen:api` generates from
 * the server's OpenAPI document (with `openapi.json` and the request-body schemas in `bodies.json`).
 * The web app and the `onegrid` command both talk to the server through it; nobody writes fetches.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.d.ts';

export type { components, paths };
export type ApiClient = Client<paths>;
export type ErrorBody = components['schemas']['Error'];

/** Stable error codes of the server's catalogue (`packages/server/src/errors.ts`), plus `network`. */
export type ErrorCode =
  | 'bad_request'
  | 'validation_failed'
  | 'unauthenticated'
  | 'second_factor_required'
  | 'forbidden'
  | 'account_locked'
  | 'second_factor_enrolment_required'
  | 'not_found'
  | 'outside_city'
  | 'conflict'
  | 'stale_version'
  | 'action_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal'
  | 'network'
  | (string & {});

/** A failed call: the server's `{ error: { code, message, details } }`, or `network` when unreachable. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function isErrorBody(body: unknown): body is ErrorBody {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const e = (body as { error: unknown }).error;
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string';
}

export function toApiError(status: number, body: unknown): ApiError {
  if (isErrorBody(body)) return new ApiError(status, body.error.code, body.error.message, body.error.details);
  return new ApiError(status, status === 401 ? 'unauthenticated' : 'internal', `HTTP ${status}`);
}

export interface ClientOptions {
  /** The server, e.g. `http://localhost:8080`; '' for the page's own origin in a browser. */
  baseUrl: string;
  /** The bearer token to send, read on every call (so a login or a logout takes effect at once). */
  token?: () => string | null | undefined;
  /** Called when the server answers 401 to a call made with a token: the session has ended. */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
}

export function createApiClient(options: ClientOptions): ApiClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const auth: Middleware = {
    onRequest({ request }) {
      const token = options.token?.();
      // A login (or a re-login after expiry) must not carry the stale token.
      if (token && !request.url.endsWith('/api/v1/auth/login') && !request.headers.has('authorization')) {
        request.headers.set('authorization', `Bearer ${token}`);
      }
      return request;
    },
    onResponse({ request, response }) {
      if (response.status === 401 && request.headers.has('authorization')) options.onUnauthorized?.();
      return response;
    },
  };
  client.use(auth);
  return client;
}

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits an `api.GET/POST…` call and returns its data, or throws an `ApiError`:
 * `const me = await unwrap(api.GET('/api/v1/auth/me'))`.
 */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e));
  }
  if (result.error !== undefined || !result.response.ok) {
    throw toApiError(result.response.status, result.error);
  }
  return result.data as T;
}
