import type { Command } from 'commander';
import { type Benchmark, formatBenchTable } from '../bench/bench.ts';

/** Every benchmark, by name. Add new ones here. */
const benchmarks: Record<string, () => Promise<Benchmark>> = {};

export function registerBenchmark(name: string, load: () => Promise<Benchmark>) {
  benchmarks[name] = load;
}

registerBenchmark('import', async () => (await import('../bench/import.bench.ts')).importBenchmark);
registerBenchmark('cases', async () => (await import('../bench/cases.bench.ts')).casesBenchmark);
registerBenchmark(
  'assessment',
  async () => (await import('../bench/assessment.bench.ts')).assessmentBenchmark,
);
registerBenchmark('ingest', async () => (await import('../bench/ingest.bench.ts')).ingestBenchmark);
registerBenchmark('locate', () => import('../bench/locate.bench.ts').then((m) => m.default));
registerBenchmark('webhooks', async () => (await import('../bench/webhooks.bench.ts')).webhooksBenchmark);
registerBenchmark('exchange', async () => (await import('../bench/exchange.bench.ts')).exchangeBenchmark);
registerBenchmark('vitals', async () => (await import('../bench/vitals.bench.ts')).vitalsBenchmark);
registerBenchmark('city', async () => (await import('../bench/city.bench.ts')).cityBenchmark);

export function registerBench(program: Command) {
  program
    .command('bench [name]')
    .description(
      `run benchmarks (${Object.keys(benchmarks).join(', ') || 'none yet'}); all when no name is given`,
    )
    .allowUnknownOption(true)
    // `--rows 50000`: the value of a benchmark's own option is an extra argument to commander.
    .allowExcessArguments(true)
    .action(async (name: string | undefined, _opts: unknown, cmd: Command) => {
      // `city` measures a seeded database (--db NAME): run by name only.
      const names = name ? [name] : Object.keys(benchmarks).filter((n) => n !== 'city');
      for (const n of names) {
        if (!benchmarks[n])
          throw new Error(`unknown benchmark "${n}"; known: ${Object.keys(benchmarks).join(', ')}`);
      }
      const options = parseLooseOptions(cmd.args.slice(name ? 1 : 0));
      const tables: string[] = [];
      for (const n of names) {
        const bench = await benchmarks[n]!();
        process.stderr.write(`\n▶ ${bench.name}: ${bench.description}\n`);
        const rows = await bench.run({ progress: (m) => process.stderr.write(`  ${m}\n`), options });
        tables.push(formatBenchTable(bench.name, rows));
      }
      console.log(`\n${tables.join('\n\n')}`);
    });
}

function parseLooseOptions(args: string[]): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) continue;
    const [k, v] = a.slice(2).split('=');
    if (v !== undefined) out[k!] = v;
    else if (args[i + 1] && !args[i + 1]!.startsWith('--')) out[k!] = args[++i]!;
    else out[k!] = true;
  }
  return out;
}
