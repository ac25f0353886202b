/**
 * Creating accounts and setting passwords, with every rule in one place: the admin API and the
 * command line (`onegrid user add|passwd`, how a city gets its first administrator without the
 * demo) both come here, so both enforce the same password policy.
 */
import { checkPassword, checkUser, type FieldProblem, type Role } from '@onegrid/domain';
import type { Db } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { hashPassword } from './password.ts';

const passwordMessages: Partial<Record<FieldProblem, string>> = {
  required: 'Enter a password',
  tooShort: 'The password is too short: at least 8 characters',
  tooLong: 'The password is too long: at most 256 characters',
  sameAsUsername: 'The password must not be (or contain little more than) the username',
  repeated: 'The password must not be one or two characters repeated',
  common: 'This password is among the first ones anyone guesses; choose another',
};

export const passwordMessage = (problem: FieldProblem) => passwordMessages[problem] ?? `password: ${problem}`;

const invalid = (field: string, problem: string, message: string) =>
  new AppError('validation_failed', message, { field, problem });

export interface NewAccount {
  username: string;
  displayName: string;
  password: string;
  role: Role;
  scopeCode: string;
  departmentCode?: string | null | undefined;
  phone?: string | null | undefined;
}

export function accountsService({ db }: { db: Db }) {
  return {
    /** Checks the account (policy, known area, active department, free name) and creates it. */
    async create(a: NewAccount): Promise<number> {
      const problems = Object.entries(checkUser(a, true));
      if (problems.length) {
        const [field, problem] = problems[0]!;
        throw invalid(
          field,
          problem,
          field === 'password' ? passwordMessage(problem) : `${field}: ${problem}`,
        );
      }
      const area = await db.query('SELECT 1 FROM areas WHERE code = $1', [a.scopeCode]);
      if (!area.rows.length) throw invalid('scopeCode', 'invalid', `Unknown area ${a.scopeCode}`);
      if (a.departmentCode) {
        const d = await db.query<{ active: boolean }>('SELECT active FROM departments WHERE code = $1', [
          a.departmentCode,
        ]);
        if (!d.rows[0]?.active) {
          throw invalid('departmentCode', 'invalid', `Unknown or inactive department ${a.departmentCode}`);
        }
      }
      const hash = await hashPassword(a.password);
      return db.transaction(async (tx) => {
        const taken = await tx.query('SELECT 1 FROM users WHERE username = $1', [a.username]);
        if (taken.rows.length) {
          throw new AppError('conflict', `The username ${a.username} is taken`, {
            field: 'username',
            problem: 'taken',
          });
        }
        const r = await tx.query<{ id: number }>(
          `INSERT INTO users (username, display_name, password_hash, role, scope_code, department_code, phone,
                              password_changed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, now()) RETURNING id::int AS id`,
          [
            a.username,
            a.displayName.trim(),
            hash,
            a.role,
            a.scopeCode,
            a.departmentCode ?? null,
            a.phone ?? null,
          ],
        );
        return r.rows[0]!.id;
      });
    },

    /**
     * Sets a password by the policy and ends the user's sessions; also lifts a lockout (the
     * command line is how a locked-out city recovers its only security administrator).
     */
    async setPassword(username: string, password: string): Promise<{ id: number; sessionsEnded: number }> {
      const problem = checkPassword(password, username);
      if (problem) throw invalid('password', problem, passwordMessage(problem));
      const hash = await hashPassword(password);
      return db.transaction(async (tx) => {
        const r = await tx.query<{ id: number }>(
          `UPDATE users SET password_hash = $2, password_changed_at = now(), locked_at = NULL
            WHERE username = $1 RETURNING id::int AS id`,
          [username, hash],
        );
        const id = r.rows[0]?.id;
        if (id === undefined) throw new AppError('not_found', `No user ${username}`);
        await tx.query('DELETE FROM login_failures WHERE key = $1', [`u:${username}`]);
        const s = await tx.query('DELETE FROM sessions WHERE user_id = $1', [id]);
        return { id, sessionsEnded: s.rowCount };
      });
    },
  };
}
export type AccountsService = ReturnType<typeof accountsService>;
