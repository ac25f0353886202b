/**
 * Where the CPU of `onegrid bench ingest` goes: per-process CPU from /proc (a local Mosquitto,
 * the PostgreSQL backends of the scratch database) and the per-message figures and ceiling
 * computed from them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import type { Db } from '@onegrid/server';

/** CPU milliseconds a process has used so far (utime + stime from /proc), or undefined. */
export function procCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** The local Mosquitto's pid, when the broker runs on this machine (Linux). */
export function localMosquitto(url: string | undefined): number | undefined {
  if (!url || !['127.0.0.1', 'localhost', '::1'].includes(new URL(url).hostname)) return undefined;
  try {
    for (const p of readdirSync('/proc')) {
      if (!/^\d+$/.test(p)) continue;
      try {
        if (readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'mosquitto') return Number(p);
      } catch {}
    }
  } catch {}
  return undefined;
}

/** CPU of a set of processes between two samples. */
export function cpuMeter(pids: () => Promise<number[]>) {
  let before = new Map<number, number>();
  const sample = async () => {
    const m = new Map<number, number>();
    for (const pid of await pids()) {
      const v = procCpuMs(pid);
      if (v !== undefined) m.set(pid, v);
    }
    return m;
  };
  return {
    async start() {
      before = await sample();
    },
    /** CPU ms used since start by the processes seen at start (new ones count from zero). */
    async stop(): Promise<number> {
      const after = await sample();
      let ms = 0;
      for (const [pid, v] of after) ms += v - (before.get(pid) ?? 0);
      return ms;
    },
  };
}

/** The database's server processes: this database's backends and the WAL writer / checkpointer. */
export async function postgresPids(db: Db): Promise<number[]> {
  if (db.engine !== 'postgres') return [];
  try {
    const r = await db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() OR backend_type IN ('walwriter', 'checkpointer', 'background writer')`,
    );
    return r.rows.map((x) => x.pid);
  } catch {
    return [];
  }
}

export interface StageCpu {
  label: string;
  ms: number | undefined;
  /** One thread (a Node process, Mosquitto): it can never use more than one core. */
  single?: boolean;
}

/**
 * CPU per message of each stage, and the rate the stages would allow if this machine's cores did
 * nothing else: all of them share the cores, and a single-threaded stage gets one at most.
 */
export const perMsg = (stages: StageCpu[], messages: number) => {
  const known = stages.filter((s) => s.ms !== undefined && s.ms > 0);
  const total = known.reduce((s, x) => s + x.ms!, 0);
  const us = (ms: number) => (ms * 1000) / messages;
  const parts = known.map((s) => `${s.label} ${us(s.ms!).toFixed(1)}`);
  const cores = os.availableParallelism();
  let ceiling = total > 0 ? (cores * 1e6) / us(total) : 0;
  let bound = `${cores} cores`;
  for (const s of known) {
    if (s.single && 1e6 / us(s.ms!) < ceiling) {
      ceiling = 1e6 / us(s.ms!);
      bound = `one core for ${s.label}`;
    }
  }
  return { total, text: `CPU µs/msg: ${parts.join(', ')}; total ${us(total).toFixed(1)}`, ceiling, bound };
};
