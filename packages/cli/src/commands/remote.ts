/**
 * Commands that work against a running OneGrid over its HTTP API, through the same generated client
 * as the web app (`@onegrid/client`): log in, list and show cases, act on a case, report a problem.
 *
 *   onegrid login --url http://localhost:8080 --username op      (password from ONEGRID_PASSWORD or asked)
 *   onegrid cases list --status reported,filed --area 310101
 *   onegrid cases show 42
 *   onegrid cases act 42 file --category 06010 --urgency urgent
 *   onegrid report --category 06010 --lng 121.4737 --lat 31.2304 --description "暴露垃圾" --photo a.jpg
 *
 * The session (server address and token) is kept in `$ONEGRID_HOME/session.json` (default
 * `~/.config/onegrid`, file mode 0600); `--url` / `ONEGRID_URL` and `ONEGRID_TOKEN` override it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import {
  type ApiClient,
  ApiError,
  type components,
  createApiClient,
  type paths,
  unwrap,
} from '@onegrid/client';
import { actionTable, caseStatusNames, isCaseAction } from '@onegrid/domain';
import type { Command } from 'commander';

type Case = components['schemas']['Case'];
type CaseAction = paths['/api/v1/cases/{id}/{action}']['post']['parameters']['path']['action'];

interface Session {
  url: string;
  token: string;
  username: string;
}

const defaultUrl = 'http://localhost:8080';

function home(): string {
  return process.env.ONEGRID_HOME ?? path.join(os.homedir(), '.config', 'onegrid');
}
const sessionFile = () => path.join(home(), 'session.json');

function readSession(): Session | undefined {
  try {
    return JSON.parse(fs.readFileSync(sessionFile(), 'utf8')) as Session;
  } catch {
    return undefined;
  }
}

function writeSession(s: Session): void {
  fs.mkdirSync(home(), { recursive: true, mode: 0o700 });
  fs.writeFileSync(sessionFile(), `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
}

interface Target {
  url: string;
  token: string | undefined;
}

function target(cmd: Command): Target {
  const o = cmd.optsWithGlobals<{ url?: string }>();
  const saved = readSession();
  const url = (o.url ?? process.env.ONEGRID_URL ?? saved?.url ?? defaultUrl).replace(/\/+$/, '');
  const token = process.env.ONEGRID_TOKEN ?? (saved && saved.url === url ? saved.token : undefined);
  return { url, token };
}

function client(t: Target): ApiClient {
  return createApiClient({ baseUrl: t.url, token: () => t.token });
}

/** Runs a remote call and turns API errors into one clear line (exit code 1). */
async function remote<T>(t: Target, work: () => Promise<T>, loginHint = true): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof ApiError) {
      if (e.code === 'network') throw new Error(`cannot reach OneGrid at ${t.url} (${e.message})`);
      if (e.status === 401 && loginHint) {
        throw new Error(`${e.message} (401) — run \`onegrid login --url ${t.url}\``);
      }
      throw new Error(`${e.message} (${e.status} ${e.code})`);
    }
    throw e;
  }
}

async function askPassword(): Promise<string> {
  if (process.env.ONEGRID_PASSWORD) return process.env.ONEGRID_PASSWORD;
  if (!process.stdin.isTTY) throw new Error('no password: set ONEGRID_PASSWORD or run in a terminal');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    return await rl.question('password: ');
  } finally {
    rl.close();
  }
}

const pad = (s: string, n: number) => {
  // CJK characters take two columns in a terminal.
  const width = [...s].reduce((w, ch) => w + (/[\u1100-\uffdc]/.test(ch) ? 2 : 1), 0);
  return s + ' '.repeat(Math.max(0, n - width));
};

/** Shanghai time, as a person at the centre reads it: `2026-12-07 09:30`. */
const shanghai = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Asia/Shanghai',
  dateStyle: 'short',
  timeStyle: 'short',
});
export const shanghaiTime = (at: string | Date) => shanghai.format(new Date(at));

const columns = [7, 22, 10, 22, 16] as const;
const row = (cells: string[]) =>
  cells.map((cell, i) => (i < columns.length ? pad(cell, columns[i] ?? 0) : cell)).join(' ');
const header = () => row(['编号ID', '案件编号', '状态', '类别', '网格/街道', '处置时限']);

const statusName = (s: string) => caseStatusNames[s as keyof typeof caseStatusNames]?.zh ?? s;

function line(c: Case): string {
  return row([
    String(c.id),
    c.number,
    caseStatusNames[c.status]?.zh ?? c.status,
    `${c.category} ${c.categoryName ?? ''}`,
    c.unitGridCode ?? c.streetCode ?? '',
    c.deadline?.dueAt ? shanghaiTime(c.deadline.dueAt) : '',
  ]);
}

/** An action's Chinese name with the code `cases act` takes: `受理 (accept)`. */
const actionLabel = (action: string) =>
  isCaseAction(action) ? `${actionTable[action].zh} (${action})` : action;

function print(json: boolean, value: unknown, text: () => string): void {
  console.log(json ? JSON.stringify(value, null, 2) : text());
}

async function findCase(api: ApiClient, ref: string): Promise<Case> {
  if (/^\d+$/.test(ref))
    return unwrap(api.GET('/api/v1/cases/{id}', { params: { path: { id: Number(ref) } } }));
  const page = await unwrap(api.GET('/api/v1/cases', { params: { query: { q: ref, pageSize: 5 } } }));
  const hit = page.items.find((c) => c.number === ref);
  if (!hit) throw new Error(`no case numbered ${ref} in your area`);
  return unwrap(api.GET('/api/v1/cases/{id}', { params: { path: { id: hit.id } } }));
}

export function registerRemote(program: Command) {
  program
    .command('login')
    .description('log in to a running OneGrid and keep the session for the other remote commands')
    .option('--url <url>', `server address (default ONEGRID_URL or ${defaultUrl})`)
    .requiredOption('--username <name>', 'your user name')
    .action(async (o: { username: string }, cmd: Command) => {
      const t = target(cmd);
      const password = await askPassword();
      const r = await remote(
        t,
        () => unwrap(client(t).POST('/api/v1/auth/login', { body: { username: o.username, password } })),
        false,
      );
      writeSession({ url: t.url, token: r.token, username: o.username });
      console.log(`logged in to ${t.url} as ${r.user.displayName} (${r.user.role}, ${r.user.scopeCode})`);
    });

  program
    .command('logout')
    .description('end the saved session')
    .action(async (_o: unknown, cmd: Command) => {
      const t = target(cmd);
      if (t.token)
        await remote(t, () => unwrap(client(t).POST('/api/v1/auth/logout'))).catch(() => undefined);
      fs.rmSync(sessionFile(), { force: true });
      console.log('logged out');
    });

  const cases = program
    .command('cases')
    .description('cases on a running OneGrid (after `onegrid login`)')
    .option('--url <url>', 'server address (default: the saved session, ONEGRID_URL or localhost:8080)')
    .option('--json', 'print JSON');

  cases
    .command('list')
    .description('cases in your area, newest first')
    .option('--status <list>', 'comma-separated statuses, e.g. reported,filed')
    .option('--area <code>', 'district / street / community / grid code')
    .option('--category <code>', 'major (2 digits) or matter (5 digits)')
    .option('--source <source>', 'e.g. public, inspector, iot')
    .option('--overdue', 'only overdue cases')
    .option('--page-size <n>', 'how many', '20')
    .action(async (o: Record<string, string | boolean | undefined>, cmd: Command) => {
      const t = target(cmd);
      const api = client(t);
      const query = {
        ...(o.status ? { status: String(o.status) } : {}),
        ...(o.area ? { area: String(o.area) } : {}),
        ...(o.category ? { category: String(o.category) } : {}),
        ...(o.source ? { source: String(o.source) } : {}),
        ...(o.overdue ? { overdue: true } : {}),
        pageSize: Number(o.pageSize),
      };
      const page = await remote(t, () => unwrap(api.GET('/api/v1/cases', { params: { query } })));
      print(Boolean(cmd.optsWithGlobals().json), page, () =>
        page.items.length ? [header(), ...page.items.map(line)].join('\n') : '没有案件 (no cases)',
      );
    });

  cases
    .command('show <case>')
    .description('one case (by id or number) with its timeline and what you may do next')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const t = target(cmd);
      const c = await remote(t, () => findCase(client(t), ref));
      print(Boolean(cmd.optsWithGlobals().json), c, () =>
        [
          header(),
          line(c),
          c.description ? `  ${c.description}` : '',
          `  下一步 next: ${(c.allowedActions ?? []).map(actionLabel).join('，') || '—'}`,
          ...(c.timeline ?? []).map(
            (e) => `  ${shanghaiTime(e.at)}  ${actionLabel(e.action)}${e.note ? `  ${e.note}` : ''}`,
          ),
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });

  cases
    .command('act <case> <action>')
    .description('act on a case: file, dispatch, accept, handle, check, close … (the version is read first)')
    .option('--note <text>')
    .option('--reason <text>')
    .option('--department <code>')
    .option('--category <code>')
    .option('--urgency <urgent|normal>')
    .option('--passed', 'check / verify: it passed')
    .option('--failed', 'check / verify: it did not pass')
    .action(
      async (ref: string, action: string, o: Record<string, string | boolean | undefined>, cmd: Command) => {
        const t = target(cmd);
        const api = client(t);
        const c = await remote(t, () => findCase(api, ref));
        const body = {
          version: c.version,
          ...(o.note ? { note: String(o.note) } : {}),
          ...(o.reason ? { reason: String(o.reason) } : {}),
          ...(o.department ? { departmentCode: String(o.department) } : {}),
          ...(o.category ? { category: String(o.category) } : {}),
          ...(o.urgency ? { urgency: String(o.urgency) as 'urgent' | 'normal' } : {}),
          ...(o.passed ? { passed: true, confirmed: true } : {}),
          ...(o.failed ? { passed: false, confirmed: false } : {}),
        };
        const next = await remote(t, () =>
          unwrap(
            api.POST('/api/v1/cases/{id}/{action}', {
              params: { path: { id: c.id, action: action as CaseAction } },
              body,
            }),
          ),
        );
        print(
          Boolean(cmd.optsWithGlobals().json),
          next,
          () =>
            `${next.number}: ${statusName(c.status)} → ${statusName(next.status)}` +
            `\n  下一步 next: ${(next.allowedActions ?? []).map(actionLabel).join('，') || '—'}`,
        );
      },
    );

  program
    .command('report')
    .description('report a problem as the logged-in user (inspector, operator …)')
    .option('--url <url>', 'server address')
    .requiredOption('--category <code>', 'matter code, e.g. 06010')
    .requiredOption('--description <text>')
    .requiredOption('--lng <lng>', 'longitude (WGS-84 unless --crs)')
    .requiredOption('--lat <lat>', 'latitude')
    .option('--crs <crs>', 'wgs84, gcj02 or bd09', 'wgs84')
    .option('--address <text>')
    .option('--urgency <urgent|normal>')
    .option('--photo <file...>', 'photos to upload with the report')
    .option('--json', 'print JSON')
    .action(async (o: Record<string, string | string[] | boolean | undefined>, cmd: Command) => {
      const t = target(cmd);
      const api = client(t);
      const photos: string[] = [];
      for (const file of (o.photo as string[] | undefined) ?? []) {
        const form = new FormData();
        form.append('file', new Blob([fs.readFileSync(file)]), path.basename(file));
        // Multipart, which the OpenAPI document does not describe; openapi-fetch sends FormData as is.
        const r = await remote(t, () => unwrap(api.POST('/api/v1/attachments', { body: form as never })));
        photos.push(r.id);
      }
      const crs = String(o.crs) as 'wgs84' | 'gcj02' | 'bd09';
      const created = await remote(t, () =>
        unwrap(
          api.POST('/api/v1/cases', {
            body: {
              category: String(o.category),
              description: String(o.description),
              location: { lng: Number(o.lng), lat: Number(o.lat), crs },
              ...(o.address ? { address: String(o.address) } : {}),
              ...(o.urgency ? { urgency: String(o.urgency) as 'urgent' | 'normal' } : {}),
              ...(photos.length ? { photos } : {}),
            },
          }),
        ),
      );
      print(Boolean(o.json), created, () => `${created.number} (${created.id}): ${created.status}`);
    });
}
