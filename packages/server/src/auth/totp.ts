/**
 * TOTP second factor (RFC 6238, 30 s steps, 6 digits, SHA-1: what every authenticator app reads)
 * through `otpauth`. The secret travels once, at enrolment, as an otpauth:// URL and its QR code.
 */
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';

const period = 30;

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

function totp(secret: string, username: string) {
  return new OTPAuth.TOTP({
    issuer: 'OneGrid',
    label: username,
    algorithm: 'SHA1',
    digits: 6,
    period,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

export async function totpEnrolment(secret: string, username: string) {
  const url = totp(secret, username).toString();
  return { secret, otpauthUrl: url, qrSvg: await QRCode.toString(url, { type: 'svg', margin: 1 }) };
}

/** The time step the code belongs to (one step of drift either way), or undefined. */
export function totpStep(secret: string, code: string, now: Date): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const timestamp = now.getTime();
  const delta = totp(secret, '').validate({ token: code, timestamp, window: 1 });
  if (delta === null) return undefined;
  return Math.floor(timestamp / 1000 / period) + delta;
}

/** For tests and the CLI: the code an authenticator app shows at `now`. */
export function totpCode(secret: string, now: Date): string {
  return totp(secret, '').generate({ timestamp: now.getTime() });
}
