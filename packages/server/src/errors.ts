/**
 * One error catalogue with stable codes, mapped to HTTP in one place (`http/app.ts`).
 * Services throw these; routes never build error bodies by hand.
 */
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
  | 'internal';

const statusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  second_factor_required: 401,
  forbidden: 403,
  account_locked: 403,
  second_factor_enrolment_required: 403,
  not_found: 404,
  outside_city: 404,
  conflict: 409,
  stale_version: 409,
  action_not_allowed: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.status = statusOf[code];
  }
}

/** 429 with `Retry-After` (seconds). */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', message, { retryAfter: retryAfterSeconds });
  }
}

export const notFound = (what: string, id: string | number) =>
  new AppError('not_found', `${what} ${id} not found`);
export const badRequest = (message: string, details?: unknown) =>
  new AppError('bad_request', message, details);
export const forbidden = (message: string) => new AppError('forbidden', message);
