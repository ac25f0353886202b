/**
 * What every browser test needs: a fresh web build when the sources changed, a OneGrid server on a
 * free port over a test database, Debian's Chromium, users logged in over the API and the login form,
 * and screenshots in `e2e/screenshots/`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
import type { Db } from '../packages/server/src/db/db.ts';
import { buildServer, type Server } from '../packages/server/src/server.ts';
import { openTestDb, type TestDb } from '../packages/server/test/db-harness.ts';
import { silentLog } from '../packages/server/test/http-harness.ts';

export const repoRoot = path.resolve(import.meta.dirname, '..');
const webDir = path.join(repoRoot, 'packages/web');
export const distDir = path.join(webDir, 'dist');
export const shotsDir = path.join(import.meta.dirname, 'screenshots');

/**
 * Headless Chromium has no GPU here; MapLibre's WebGL then comes from SwiftShader, which Chromium
 * picks by itself with these flags.
 */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];

export const desktop = { width: 1366, height: 768 } as const;
export const phone = { width: 360, height: 740 } as const;

function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

/**
 * Builds packages/web when dist/ is missing or older than the sources. Test files run one after
 * another, but several checkouts' worth of work can share a tree: the build keeps old chunks
 * (`--emptyOutDir false`) so a page already loaded by another test never loses its scripts.
 */
export function ensureWebBuild(): void {
  const index = path.join(distDir, 'index.html');
  const sources = ['src', 'public', 'index.html', 'vite.config.ts']
    .map((p) => path.join(webDir, p))
    .filter((p) => fs.existsSync(p));
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  // NODE_ENV is `test` under vitest: passed on, it gives React's development build (StrictMode's double
  // effects, a second map, slower renders). The browser tests run what ships.
  const r = spawnSync('npx', ['vite', 'build', '--emptyOutDir', 'false'], {
    cwd: webDir,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (r.status !== 0) throw new Error(`web build failed:\n${r.stdout}\n${r.stderr}`);
}

export interface E2e {
  t: TestDb;
  server: Server;
  browser: Browser;
  baseUrl: string;
  /** Page errors seen in any page opened through `open` / `openAs`: a test asserts it stays empty. */
  pageErrors: string[];
  /** Bearer tokens by username, filled by `login`. */
  tokens: Record<string, string>;
  login(username: string, password?: string): Promise<string>;
  /** A JSON call to the API as a logged-in user; throws with the body on an error status. */
  call<T>(username: string, method: string, url: string, body?: unknown): Promise<T>;
  /** A page in a context of its own (own storage), not logged in. */
  open(
    url?: string,
    options?: {
      viewport?: { width: number; height: number };
      locale?: string;
      label?: string;
      /** Passed to `browser.newContext` (e.g. geolocation, permissions); viewport and locale above win. */
      contextOptions?: BrowserContextOptions;
    },
  ): Promise<Page>;
  /** A page logged in through the login form. */
  openAs(
    username: string,
    hash?: string,
    options?: {
      viewport?: { width: number; height: number };
      password?: string;
      contextOptions?: BrowserContextOptions;
      /** What shows that sign-in is done; the shell's user badge unless told (a leader starts on the command screen, which has no shell). */
      signedIn?: string;
    },
  ): Promise<Page>;
  shot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts everything. `city` fills the database before the server starts (e.g. `makeLoopCity`).
 * Call from `beforeAll` (with a generous timeout) and `close()` from `afterAll`.
 */
export async function startE2e(city: (db: Db) => Promise<unknown>): Promise<E2e> {
  ensureWebBuild();
  fs.mkdirSync(shotsDir, { recursive: true });
  const t = await openTestDb();
  await city(t.db);
  const server = await buildServer({
    db: t.db,
    log: silentLog,
    // Test accounts are made by factories, not the demo: no second factor in the browser walks.
    // Every sign-in of a walk comes from 127.0.0.1: per-address limits off (tested in the server suite).
    config: {
      sessionHours: 12,
      webDir: distDir,
      totpRequired: false,
      rateLimits: { loginPerMinute: 0, publicReportsPerMinute: 0, open311PostsPerMinute: 0 },
    },
  });
  await server.geo.refresh({ force: true });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: chromiumArgs,
  });
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const tokens: Record<string, string> = {};

  const e: E2e = {
    t,
    server,
    browser,
    baseUrl,
    pageErrors,
    tokens,
    async login(username, password = 'secret-pw') {
      const r = await fetch(`${baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (!r.ok) throw new Error(`login ${username} → ${r.status} ${await r.text()}`);
      const token = ((await r.json()) as { token: string }).token;
      tokens[username] = token;
      return token;
    },
    async call<T>(username: string, method: string, url: string, body?: unknown): Promise<T> {
      const token = tokens[username] ?? (await e.login(username));
      const res = await fetch(`${baseUrl}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      const json = (text ? JSON.parse(text) : undefined) as T;
      if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text}`);
      return json;
    },
    async open(url = '/', options = {}) {
      const ctx = await browser.newContext({
        ...options.contextOptions,
        viewport: options.viewport ?? desktop,
        locale: options.locale ?? 'zh-CN',
      });
      contexts.push(ctx);
      const page = await ctx.newPage();
      const label = options.label ?? url;
      page.on('pageerror', (err) => pageErrors.push(`${label}: ${err.message}`));
      // A Content Security Policy refusal is an error too: the policy must fit what the app loads.
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) {
          pageErrors.push(`${label}: ${m.text()}`);
        }
      });
      await page.goto(`${baseUrl}${url}`);
      return page;
    },
    async openAs(username, hash = '', options = {}) {
      const page = await e.open(`/${hash}`, {
        viewport: options.viewport,
        label: username,
        ...(options.contextOptions ? { contextOptions: options.contextOptions } : {}),
      });
      await page.getByLabel('用户名').fill(username);
      await page.getByLabel('密码').fill(options.password ?? 'secret-pw');
      await page.getByRole('button', { name: '登录', exact: true }).click();
      await page.waitForSelector(options.signedIn ?? '[data-testid=current-user]');
      return page;
    },
    async shot(page, name) {
      await page.screenshot({ path: path.join(shotsDir, name) });
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.close();
      await t.close();
    },
  };
  return e;
}
