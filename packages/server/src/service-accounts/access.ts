/**
 * What a feature serving machines calls: the service account behind the request, its grants,
 * scope and clearance. Routes declare `config: { access: { grant: 'hotline' } }` (the gate in
 * http/app.ts refuses other callers before the handler); the handler then reads the account
 * here and checks scope on the object it serves:
 *
 *     const sa = serviceAccountOf(request);            // 401 when no account
 *     requireGrant(sa, 'share:cases');                 // 403 when not granted
 *     if (!serviceSees(sa, row.areaCode)) throw notFound('case', id);
 */
import {
  type Clearance,
  clearanceAllows,
  type DataClass,
  type Grant,
  hasGrant,
  inScope,
} from '@onegrid/domain';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { ServicePrincipal } from './service-accounts.service.ts';

export type { ServicePrincipal } from './service-accounts.service.ts';

/** The calling service account, or 401. */
export function serviceAccountOf(request: FastifyRequest): ServicePrincipal {
  const sa = request.serviceAccount;
  if (!sa) throw new AppError('unauthenticated', 'Authenticate with a service account access token');
  return sa;
}

/** 403 unless the account's token carries `grant`. */
export function requireGrant(sa: ServicePrincipal, grant: Grant): ServicePrincipal {
  if (!hasGrant(sa.grants, grant)) {
    throw new AppError('forbidden', `This service account may not do this (it needs the grant ${grant})`);
  }
  return sa;
}

/** Whether an object in `areaCode` lies in the account's scope (outside: answer 404). */
export const serviceSees = (sa: ServicePrincipal, areaCode: string | null | undefined): boolean =>
  inScope(sa.scopeCode, areaCode);

/** Whether a field of class `fieldClass` may go to this account in full. */
export const clearedFor = (sa: { clearance: Clearance }, fieldClass: DataClass): boolean =>
  clearanceAllows(sa.clearance, fieldClass);
