/**
 * `onegrid` as a person runs it: a real process of `packages/cli/bin/onegrid.js` with a data
 * directory of its own (or PostgreSQL through DATABASE_URL), its output collected.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export const repo = path.resolve(import.meta.dirname, '../../..');
export const bin = path.join(repo, 'packages/cli/bin/onegrid.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `onegrid …args`. `env` is added to this process's environment after DATABASE_URL,
 * ONEGRID_PASSWORD, ONEGRID_URL and ONEGRID_TOKEN are taken out of it, so only what the test
 * gives reaches the command; logs are silent.
 */
export function onegrid(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const all: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
    for (const k of ['DATABASE_URL', 'ONEGRID_PASSWORD', 'ONEGRID_URL', 'ONEGRID_TOKEN']) delete all[k];
    for (const [k, v] of Object.entries(env)) if (v !== undefined) all[k] = v;
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: repo,
      env: all,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `onegrid …args` on the embedded data dir `dataDir`, or on PostgreSQL at `databaseUrl`. */
export const onegridOn = (
  args: string[],
  dataDir: string,
  databaseUrl?: string,
  env: NodeJS.ProcessEnv = {},
) => onegrid(args, { ONEGRID_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, ...env });
