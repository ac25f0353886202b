/**
 * Slowing down password guessing: failed logins are counted per account name (known or not, so
 * the answers do not reveal which names exist) and per client address. Past a few free failures
 * each further failure doubles the wait (1 s, 2 s, 4 s … up to 15 min); an attempt made before
 * the wait is over is refused with 429 and `Retry-After` without checking the password. Account
 * counts run until a successful login; address counts start over after a quiet window.
 */
import { RateLimitedError } from '../errors.ts';
import type { AuthRepository } from './auth.repository.ts';

export interface ThrottlePolicy {
  accountFree: number;
  addressFree: number;
  maxWaitSeconds: number;
  addressWindowMinutes: number;
}

export const defaultThrottle: ThrottlePolicy = {
  accountFree: 3,
  addressFree: 10,
  maxWaitSeconds: 900,
  addressWindowMinutes: 15,
};

const epoch = new Date(0);

export const accountKey = (username: string) => `u:${username}`;
export const addressKey = (ip: string) => `a:${ip}`;

export function loginThrottle(users: AuthRepository, policy: ThrottlePolicy = defaultThrottle) {
  const wait = (failures: number, free: number) =>
    failures < free ? 0 : Math.min(2 ** (failures - free), policy.maxWaitSeconds);
  const addressSince = (now: Date) => new Date(now.getTime() - policy.addressWindowMinutes * 60_000);

  return {
    /** Throws 429 while the account or the address must wait. */
    async check(username: string, ip: string | undefined, now: Date): Promise<void> {
      const keys = [accountKey(username), ...(ip ? [addressKey(ip)] : [])];
      const rows = await users.failures(keys, epoch);
      let retryAfter = 0;
      for (const r of rows) {
        const isAddress = r.key.startsWith('a:');
        if (isAddress && r.lastAt < addressSince(now)) continue;
        const free = isAddress ? policy.addressFree : policy.accountFree;
        const until = r.lastAt.getTime() + wait(r.failures, free) * 1000;
        retryAfter = Math.max(retryAfter, Math.ceil((until - now.getTime()) / 1000));
      }
      if (retryAfter > 0) {
        throw new RateLimitedError(`Too many failed logins; try again in ${retryAfter} s`, retryAfter);
      }
    },
    /** Counts a failure; returns the account's failures in a row. */
    async failed(username: string, ip: string | undefined, now: Date): Promise<number> {
      if (ip) await users.recordFailure(addressKey(ip), now, addressSince(now));
      return users.recordFailure(accountKey(username), now, epoch);
    },
    async succeeded(username: string): Promise<void> {
      await users.clearFailures(accountKey(username));
    },
  };
}
export type LoginThrottle = ReturnType<typeof loginThrottle>;
