import crypto from 'node:crypto';
import type { Queryable } from '../db/db.ts';

/** Crockford's base32: no I, L, O or U to misread when a caller reads the key out on the phone. */
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const trackingKeyLength = 8;

/**
 * The key a reporter gets with their receipt, to follow their report: 8 characters (40 bits) of
 * HMAC-SHA256(deployment secret, case number). Lookups are rate-limited, so guessing is hopeless.
 */
export function trackingKeys(db: Queryable) {
  let secret: Promise<Buffer> | undefined;
  const load = () => {
    secret ??= db
      .query<{ value: string }>(`SELECT value FROM app_secrets WHERE name = 'tracking-key'`)
      .then((r) => {
        const v = r.rows[0]?.value;
        if (!v) throw new Error('app_secrets has no tracking-key (migration 0028)');
        return Buffer.from(v, 'utf8');
      });
    secret.catch(() => {
      secret = undefined;
    });
    return secret;
  };
  const keyFor = async (number: string): Promise<string> => {
    const mac = crypto
      .createHmac('sha256', await load())
      .update(number)
      .digest();
    let out = '';
    for (let i = 0; i < trackingKeyLength; i++) out += alphabet[mac[i]! % 32];
    return out;
  };
  return {
    keyFor,
    /** Case-insensitive; O/I/L typed for 0/1/1 still match; compared in constant time. */
    async matches(number: string, key: string): Promise<boolean> {
      const given = key.trim().toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
      const want = await keyFor(number);
      return given.length === want.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(want));
    },
  };
}
export type TrackingKeys = ReturnType<typeof trackingKeys>;
