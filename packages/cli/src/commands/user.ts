/**
 * `onegrid user add|passwd`: accounts from the command line — how a city without the demo gets its
 * first (security) administrator, and how it recovers one who is locked out or lost a password.
 * The password comes from ONEGRID_PASSWORD or is asked on the terminal (never an argument: those
 * show in `ps` and the shell history); the same policy as the admin screens applies.
 */
import { checkPassword, isRole, roles } from '@onegrid/domain';
import {
  AppError,
  accountsService,
  loadConfig,
  migrate,
  openDatabase,
  passwordMessage,
} from '@onegrid/server';
import type { Command } from 'commander';
import { askSecret } from '../prompt.ts';

/** The password, checked by the policy before any database is opened. */
async function password(username: string): Promise<string> {
  const pw = await readPassword();
  const problem = checkPassword(pw, username);
  if (problem) throw new Error(`password: ${passwordMessage(problem)}`);
  return pw;
}

async function readPassword(): Promise<string> {
  const fromEnv = process.env.ONEGRID_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!process.stdin.isTTY) {
    throw new Error('set ONEGRID_PASSWORD or run on a terminal to be asked for the password');
  }
  const first = await askSecret('password: ');
  const again = await askSecret('password again: ');
  if (first !== again) throw new Error('the two passwords differ');
  return first;
}

/** A field problem from the server's rules as one line for a person. */
function explain(e: unknown): never {
  if (e instanceof AppError) {
    const d = e.details as { field?: string } | undefined;
    throw new Error(d?.field ? `${d.field}: ${e.message}` : e.message);
  }
  throw e;
}

export function registerUser(program: Command) {
  const user = program.command('user').description('accounts: add a user, set a password');

  user
    .command('add <username>')
    .description('create a user (password from ONEGRID_PASSWORD, else asked)')
    .requiredOption('--role <role>', `one of ${roles.join(', ')}`)
    .requiredOption('--scope <area code>', 'the area the user sees: city, district or street code')
    .option('--name <display name>', 'the name shown (default: the username)')
    .option('--department <code>', 'the department (needed for the handler role)')
    .action(
      async (username: string, o: { role: string; scope: string; name?: string; department?: string }) => {
        if (!isRole(o.role)) throw new Error(`unknown role "${o.role}"; roles: ${roles.join(', ')}`);
        const role = o.role;
        const pw = await password(username);
        const db = await openDatabase(loadConfig());
        try {
          await migrate(db);
          const id = await accountsService({ db })
            .create({
              username,
              displayName: o.name ?? username,
              password: pw,
              role,
              scopeCode: o.scope,
              departmentCode: o.department ?? null,
            })
            .catch(explain);
          console.log(`created user ${username} (id ${id}, role ${role}, scope ${o.scope})`);
        } finally {
          await db.close();
        }
      },
    );

  user
    .command('passwd <username>')
    .description("set a user's password, end their sessions and lift a lockout")
    .action(async (username: string) => {
      const pw = await password(username);
      const db = await openDatabase(loadConfig());
      try {
        await migrate(db);
        const r = await accountsService({ db }).setPassword(username, pw).catch(explain);
        console.log(`password set for ${username}; ${r.sessionsEnded} session(s) ended`);
      } finally {
        await db.close();
      }
    });
}
