/**
 * The benchmark suite's shape. Each benchmark measures OneGrid beside a baseline run in the same
 * process (raw COPY, a bare Fastify route, a brute-force scan), so the ratio means something on a
 * noisy machine. `onegrid bench [name]` prints one table for all of them.
 */
export interface BenchRow {
  /** What was measured, e.g. "locate (flatbush + PIP)". */
  subject: string;
  /** Throughput or latency figure. */
  value: number;
  unit: string;
  /** The baseline this row is compared with (a `subject` of another row in the same benchmark). */
  baseline?: string;
  /** How the ratio reads: for throughput higher is better, for latency lower is better. */
  better?: 'higher' | 'lower';
  note?: string;
}

export interface BenchContext {
  /** Write progress (not results) to stderr. */
  progress(message: string): void;
  /** Options from the command line, e.g. `--points 1000000`. */
  options: Record<string, string | boolean>;
}

export interface Benchmark {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

export function formatBenchTable(name: string, rows: BenchRow[]): string {
  const bySubject = new Map(rows.map((r) => [r.subject, r]));
  const lines = rows.map((r) => {
    const base = r.baseline ? bySubject.get(r.baseline) : undefined;
    let ratio = '';
    if (base && base.value > 0 && r.value > 0) {
      const x = r.better === 'lower' ? base.value / r.value : r.value / base.value;
      ratio = `${x.toFixed(2)}× ${r.baseline}`;
    }
    return [name, r.subject, formatNumber(r.value), r.unit, ratio, r.note ?? ''];
  });
  const header = ['bench', 'subject', 'value', 'unit', 'ratio', 'note'];
  const all = [header, ...lines];
  const widths = header.map((_, i) => Math.max(...all.map((l) => (l[i] ?? '').length)));
  return all
    .map((l) =>
      l
        .map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function formatNumber(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}
