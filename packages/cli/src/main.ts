import { Command } from 'commander';
import { fail } from './util.ts';

const program = new Command('onegrid')
  .description('OneGrid — an open city operations platform (一网统管)')
  .showHelpAfterError()
  .configureOutput({ outputError: (s, write) => write(s) });

// The remote commands only talk HTTP: they start without loading the server and its database
// engines (seconds on a busy machine), which every other command needs.
const remote = new Set(['login', 'logout', 'cases', 'report']);
const first = process.argv[2];

async function registerLocal(p: Command) {
  const [serve, migrate, seed, imp, simulate, bench, audit, geocode, user, backup] = await Promise.all([
    import('./commands/serve.ts'),
    import('./commands/migrate.ts'),
    import('./commands/seed.ts'),
    import('./commands/import.ts'),
    import('./commands/simulate.ts'),
    import('./commands/bench.ts'),
    import('./commands/audit.ts'),
    import('./commands/geocode.ts'),
    import('./commands/user.ts'),
    import('./commands/backup.ts'),
  ]);
  serve.registerServe(p);
  migrate.registerMigrate(p);
  seed.registerSeed(p);
  imp.registerImport(p);
  simulate.registerSimulate(p);
  bench.registerBench(p);
  audit.registerAudit(p);
  geocode.registerGeocode(p);
  user.registerUser(p);
  backup.registerBackup(p);
}

async function main() {
  if (!first || !remote.has(first)) await registerLocal(program);
  (await import('./commands/remote.ts')).registerRemote(program);
  await program.parseAsync(process.argv);
}

main().catch(fail);
