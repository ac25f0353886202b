/**
 * The password policy (MLPS level 3, identification and authentication): long enough, not the
 * username, not one character repeated, not a password everyone tries first. Shared by the
 * server (every place a password is set: admin API, `onegrid user add|passwd`) and the web forms,
 * so both refuse the same passwords with the same problem code.
 *
 * No composition rules (upper/lower/digit): NIST SP 800-63B advises length and a block list
 * instead, and composition rules push people to `Password1!`.
 */
import { commonPasswords } from './common-passwords.ts';

export const passwordMinLength = 8;
export const passwordMaxLength = 256;

export type PasswordProblem = 'required' | 'tooShort' | 'tooLong' | 'sameAsUsername' | 'repeated' | 'common';

const blocked = new Set(commonPasswords.map((p) => p.toLowerCase()));

/** `undefined` when the password may be used. `username` is checked when given. */
export function checkPassword(pw: string, username?: string): PasswordProblem | undefined {
  if (!pw) return 'required';
  if ([...pw].length < passwordMinLength) return 'tooShort';
  if (pw.length > passwordMaxLength) return 'tooLong';
  const folded = pw.trim().toLowerCase();
  if (username) {
    const u = username.trim().toLowerCase();
    const reversed = [...u].reverse().join('');
    // The username itself, reversed, or with a few characters around it (`alice123`, `!alice!`).
    if (
      folded === u ||
      folded === reversed ||
      (u.length >= 3 && folded.includes(u) && folded.length - u.length <= 4)
    ) {
      return 'sameAsUsername';
    }
  }
  if (new Set(pw).size <= 2) return 'repeated';
  if (blocked.has(folded) || blocked.has(pw.toLowerCase())) return 'common';
  return undefined;
}
