import { Command } from 'commander';
import { registerBench } from './commands/bench.ts';
import { registerImport } from './commands/import.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerSeed } from './commands/seed.ts';
import { registerServe } from './commands/serve.ts';
import { registerSimulate } from './commands/simulate.ts';
import { fail } from './util.ts';

const program = new Command('onegrid')
  .description('OneGrid — an open city operations platform (一网统管)')
  .showHelpAfterError()
  .configureOutput({ outputError: (s, write) => write(s) });

registerServe(program);
registerMigrate(program);
registerSeed(program);
registerImport(program);
registerSimulate(program);
registerBench(program);

program.parseAsync(process.argv).catch(fail);
