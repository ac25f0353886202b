import {
  evaluateRule,
  initialRuleState,
  parseRuleNode,
  type RuleNode,
  type RuleReading,
  type RuleState,
  ruleMetrics,
  ruleNeedsTick,
} from '@onegrid/domain';
import type { Logger } from '../logger.ts';
import type { AlarmRepository } from './alarm.repository.ts';
import type { AlarmService } from './alarm.service.ts';
import type { DeviceDirectory } from './device.directory.ts';
import type { DeviceAuth } from './device.repository.ts';
import type { ReadingRow, ReadingsRepository } from './readings.repository.ts';
import type { Rule, RulesRepository, StoredRuleState } from './rules.repository.ts';

/**
 * Evaluates the rules in the stream. Rule nodes are pure (packages/domain/src/rules); this keeps
 * their state per (rule, device) in memory, turns raise/clear outcomes into alarm actions, and
 * saves the states every few seconds so a restart resumes instead of raising again. The alarms
 * table is the truth for "is this alarm up": after a load the states are reconciled with it.
 */
export interface RulesEngine {
  start(): Promise<void>;
  onReadings(rows: readonly ReadingRow[]): void;
  /** Moves time-based rules (duration, no data) when nothing arrives. */
  tick(): void;
  reload(): Promise<void>;
  persist(): Promise<void>;
  stats(): { rules: number; states: number; evaluations: number };
  close(): Promise<void>;
}

interface Compiled {
  rule: Rule;
  node: RuleNode;
  metrics: ReadonlySet<string>;
  anyMetric: boolean;
  ticks: boolean;
}

interface Entry {
  state: RuleState;
  version: number;
  dirty: boolean;
}

export interface RulesEngineDeps {
  rules: RulesRepository;
  alarmRepo: AlarmRepository;
  alarms: AlarmService;
  directory: DeviceDirectory;
  readings: ReadingsRepository;
  log: Logger;
  clock: () => Date;
  tickMs?: number;
  persistMs?: number;
  pollMs?: number;
}

const key = (ruleId: number, deviceId: string) => `${ruleId}\u0000${deviceId}`;

export function createRulesEngine(d: RulesEngineDeps): RulesEngine {
  const log = d.log.child({ category: 'rules' });
  let compiled = new Map<number, Compiled>();
  let byType = new Map<string, Compiled[]>();
  let byDevice = new Map<string, Compiled[]>();
  const states = new Map<string, Entry>();
  // Newest reading per device and metric that went through the rules: redeliveries and late
  // readings are stored but must not move rule state backwards; and a fresh rule state (a new
  // rule, a new version, a restart without saved state) starts from these current values.
  const latest = new Map<string, Map<string, RuleReading>>();
  // (rule, device) pairs with an active alarm: what a fresh state is compared against.
  const alarmUp = new Set<string>();
  let evaluations = 0;
  let mark = '';
  const timers: NodeJS.Timeout[] = [];
  let busy: Promise<unknown> = Promise.resolve();

  function compile(rules: Rule[]) {
    const next = new Map<number, Compiled>();
    for (const rule of rules) {
      if (!rule.enabled) continue;
      const parsed = parseRuleNode(rule.condition);
      if (!parsed.ok) {
        log.error({ ruleId: rule.id, errors: parsed.errors }, 'rule has an invalid condition; skipped');
        continue;
      }
      const metrics = ruleMetrics(parsed.node);
      next.set(rule.id, {
        rule,
        node: parsed.node,
        metrics: new Set(metrics),
        anyMetric: metrics.includes('*'),
        ticks: ruleNeedsTick(parsed.node),
      });
    }
    compiled = next;
    byType = new Map();
    byDevice = new Map();
    for (const c of next.values()) {
      const [index, k] = c.rule.deviceId ? [byDevice, c.rule.deviceId] : [byType, c.rule.deviceTypeId!];
      const list = index.get(k) ?? [];
      list.push(c);
      index.set(k, list);
    }
  }

  /** States follow the alarms table: up where an alarm is active, down where none is. */
  async function reconcile() {
    await d.alarms.idle();
    alarmUp.clear();
    for (const a of await d.alarmRepo.activeKeys()) alarmUp.add(key(a.ruleId, a.deviceId));
    for (const [k, e] of states) {
      const up = alarmUp.has(k);
      if (e.state.active !== up) states.set(k, { ...e, state: { ...e.state, active: up }, dirty: true });
    }
  }

  /** A state for a pair without one: the device's current values replayed, "up" as the alarm is. */
  function freshState(c: Compiled, device: DeviceAuth, exclude: RuleReading | null, now: number): RuleState {
    let state = initialRuleState(c.node);
    const values = [...(latest.get(device.id)?.values() ?? [])]
      .filter((r) => r !== exclude && (c.anyMetric || c.metrics.has(r.metric)))
      .sort((a, b) => a.ts - b.ts);
    for (const r of values) state = evaluateRule(c.node, state, r, now).state;
    return { ...state, active: alarmUp.has(key(c.rule.id, device.id)) };
  }

  function step(c: Compiled, device: DeviceAuth, reading: RuleReading | null, now: number) {
    const k = key(c.rule.id, device.id);
    const entry = states.get(k);
    const before =
      entry && entry.version === c.rule.version ? entry.state : freshState(c, device, reading, now);
    const r = evaluateRule(c.node, before, reading, now);
    evaluations++;
    states.set(k, { state: r.state, version: c.rule.version, dirty: true });
    const at = new Date(reading ? reading.ts : now);
    const value = r.detail?.value ?? reading?.value ?? null;
    if (r.outcome === 'raise') {
      alarmUp.add(k);
      d.alarms.raise({
        ruleId: c.rule.id,
        deviceId: device.id,
        severity: c.rule.severity,
        areaCode: device.unitGridCode,
        at,
        value,
        detail: r.detail,
      });
    } else if (r.outcome === 'clear') {
      alarmUp.delete(k);
      d.alarms.clear({ ruleId: c.rule.id, deviceId: device.id, at, value, detail: r.detail });
    } else if (r.state.active && reading) {
      d.alarms.update({ ruleId: c.rule.id, deviceId: device.id, at, value: reading.value });
    }
  }

  function remember(r: RuleReading, deviceId: string) {
    let m = latest.get(deviceId);
    if (!m) {
      m = new Map();
      latest.set(deviceId, m);
    }
    m.set(r.metric, r);
  }

  async function reload() {
    const previous = compiled;
    compile(await d.rules.list());
    mark = await d.rules.changeMark();
    // States of changed rule versions or vanished rules go; alarms of rules turned off are cleared.
    for (const [k, e] of states) {
      const c = compiled.get(Number(k.slice(0, k.indexOf('\u0000'))));
      if (!c || c.rule.version !== e.version) states.delete(k);
    }
    const gone = [...previous.keys()].filter((id) => !compiled.has(id));
    if (gone.length > 0) {
      const now = d.clock();
      for (const a of await d.alarmRepo.activeKeys()) {
        if (!gone.includes(a.ruleId)) continue;
        alarmUp.delete(key(a.ruleId, a.deviceId));
        d.alarms.clear({ ...a, at: now, value: null, detail: { reason: 'rule disabled or removed' } });
      }
    }
    await reconcile();
    log.info({ rules: compiled.size }, 'rules loaded');
  }

  async function persist() {
    const dirty: StoredRuleState[] = [];
    const entries: Entry[] = [];
    for (const [k, e] of states) {
      if (!e.dirty) continue;
      const i = k.indexOf('\u0000');
      dirty.push({
        ruleId: Number(k.slice(0, i)),
        deviceId: k.slice(i + 1),
        ruleVersion: e.version,
        state: e.state,
      });
      entries.push(e);
      e.dirty = false;
    }
    try {
      await d.rules.saveStates(dirty);
    } catch (err) {
      for (const e of entries) e.dirty = true;
      throw err;
    }
  }

  function tick() {
    const now = d.clock().getTime();
    let devicesOfType: Map<string, DeviceAuth[]> | undefined;
    for (const c of compiled.values()) {
      if (!c.ticks) continue;
      if (c.rule.deviceId) {
        const device = d.directory.get(c.rule.deviceId);
        if (device && device.status !== 'disabled') step(c, device, null, now);
        continue;
      }
      if (!devicesOfType) {
        devicesOfType = new Map();
        for (const dev of d.directory.all()) {
          if (dev.status === 'disabled') continue;
          const list = devicesOfType.get(dev.typeId) ?? [];
          list.push(dev);
          devicesOfType.set(dev.typeId, list);
        }
      }
      for (const dev of devicesOfType.get(c.rule.deviceTypeId!) ?? []) step(c, dev, null, now);
    }
  }

  /** Background jobs never overlap each other or a reload. */
  const serial = (what: string, fn: () => Promise<void> | void) => () => {
    busy = busy.then(fn).catch((e) => log.warn({ err: e }, `${what} failed`));
  };

  return {
    async start() {
      compile(await d.rules.list());
      mark = await d.rules.changeMark();
      for (const l of await d.readings.allLatest()) {
        const type = d.directory.type(d.directory.get(l.deviceId)?.typeId ?? '');
        const isBool = type?.metrics.get(l.metric)?.type === 'boolean';
        const value = l.txt ?? (isBool ? l.num === 1 : l.num);
        if (value === null) continue;
        remember({ metric: l.metric, value, ts: l.ts }, l.deviceId);
      }
      for (const s of await d.rules.loadStates()) {
        const c = compiled.get(s.ruleId);
        if (c && c.rule.version === s.ruleVersion) {
          states.set(key(s.ruleId, s.deviceId), { state: s.state, version: s.ruleVersion, dirty: false });
        }
      }
      await reconcile();
      log.info({ rules: compiled.size, states: states.size }, 'rules engine started');
      timers.push(setInterval(serial('rule tick', tick), d.tickMs ?? 2000));
      timers.push(setInterval(serial('saving rule states', persist), d.persistMs ?? 5000));
      timers.push(
        setInterval(
          serial('rule reload', async () => {
            if ((await d.rules.changeMark()) !== mark) await reload();
          }),
          d.pollMs ?? 5000,
        ),
      );
      for (const t of timers) t.unref();
    },
    onReadings(rows) {
      const now = d.clock().getTime();
      for (const r of rows) {
        const prev = latest.get(r.deviceId)?.get(r.metric);
        if (prev !== undefined && r.ts <= prev.ts) continue;
        const reading: RuleReading = { metric: r.metric, value: r.value, ts: r.ts };
        const device = d.directory.get(r.deviceId);
        const own = device && byDevice.get(device.id);
        const typed = device && byType.get(device.typeId);
        if (device && (own || typed)) {
          for (const list of [own, typed]) {
            if (!list) continue;
            for (const c of list) if (c.anyMetric || c.metrics.has(r.metric)) step(c, device, reading, now);
          }
        }
        remember(reading, r.deviceId);
      }
    },
    tick,
    async reload() {
      const run = busy.then(reload);
      busy = run.catch(() => {});
      await run;
    },
    persist,
    stats: () => ({ rules: compiled.size, states: states.size, evaluations }),
    async close() {
      for (const t of timers) clearInterval(t);
      await busy;
      await persist().catch((e) => log.warn({ err: e }, 'saving rule states at shutdown failed'));
    },
  };
}
