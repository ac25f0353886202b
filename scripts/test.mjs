// `npm test`: the whole suite on embedded PGlite, then the database tests again on PostgreSQL.
// Set ONEGRID_TEST_ENGINES=pglite (or postgres) to run on one engine only.
import { spawnSync } from 'node:child_process';

const engines = (process.env.ONEGRID_TEST_ENGINES ?? 'pglite,postgres').split(',');
const extra = process.argv.slice(2);
let failed = false;
for (const engine of engines) {
  const args = [
    'vitest',
    'run',
    ...(engine === 'postgres' ? ['--project', 'server', '--project', 'e2e'] : []),
    ...extra,
  ];
  console.log(`\n=== tests on ${engine}: npx ${args.join(' ')}\n`);
  const r = spawnSync('npx', args, {
    stdio: 'inherit',
    env: { ...process.env, ONEGRID_TEST_ENGINE: engine },
  });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
