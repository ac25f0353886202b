/**
 * Readiness: each part of this process that must work for it to be useful (the database, the
 * ingest subscription, …) registers a named check; `GET /api/v1/health/ready` runs them all.
 * A check that does not answer within the timeout fails with that as its reason, so a stalled
 * dependency cannot stall the health endpoint too.
 */

export type CheckResult = { ok: true; detail?: string } | { ok: false; reason: string };
export type ReadinessCheck = () => Promise<CheckResult> | CheckResult;

export interface CheckReport {
  name: string;
  ok: boolean;
  /** Why it fails (or, when it works, a short note such as "3 connections"). */
  detail?: string;
}

export interface Readiness {
  /** Adds a check under `name` (replacing one of that name). Returns a function that removes it. */
  register(name: string, check: ReadinessCheck): () => void;
  /** Runs every check at once; each one gets `timeoutMs` to answer. */
  run(): Promise<{ ok: boolean; checks: CheckReport[] }>;
}

export function createReadiness(options: { timeoutMs?: number } = {}): Readiness {
  const timeoutMs = options.timeoutMs ?? 2000;
  const checks = new Map<string, ReadinessCheck>();

  async function runOne(name: string, check: ReadinessCheck): Promise<CheckReport> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<CheckResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${timeoutMs} ms` }), timeoutMs);
    });
    try {
      const r = await Promise.race([Promise.resolve().then(check), late]);
      if (r.ok) return { name, ok: true, ...(r.detail ? { detail: r.detail } : {}) };
      return { name, ok: false, detail: r.reason };
    } catch (e) {
      return { name, ok: false, detail: (e as Error).message || String(e) };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    register(name, check) {
      checks.set(name, check);
      return () => {
        if (checks.get(name) === check) checks.delete(name);
      };
    },
    async run() {
      const reports = await Promise.all([...checks].map(([name, check]) => runOne(name, check)));
      reports.sort((a, b) => a.name.localeCompare(b.name));
      return { ok: reports.every((r) => r.ok), checks: reports };
    },
  };
}
