import { inScope, parseRuleNode, type RuleNode, ruleMetrics } from '@onegrid/domain';
import { audit, changes } from '../audit/audit.ts';
import type { Principal } from '../auth/auth.service.ts';
import type { Queryable } from '../db/db.ts';
import { AppError, notFound } from '../errors.ts';
import type { Severity } from './alarm.repository.ts';
import { scopeOf } from './alarm.service.ts';
import type { DeviceDirectory } from './device.directory.ts';
import type { RulesEngine } from './rules.engine.ts';
import type { Rule, RulesRepository, RuleWrite } from './rules.repository.ts';

export interface RuleInput {
  name?: string;
  deviceTypeId?: string | null;
  deviceId?: string | null;
  condition?: unknown;
  severity?: Severity;
  enabled?: boolean;
  caseCategory?: string | null;
  caseUrgency?: string | null;
}

/**
 * Rules are edited over the API and apply without a restart: every change reloads this process's
 * engine at once; other processes notice within their poll interval.
 */
export function rulesService(d: {
  repo: RulesRepository;
  directory: DeviceDirectory;
  engine: RulesEngine;
  /** Where its audit entries go (the rules repository owns its transactions). */
  db: Queryable;
}) {
  /** The condition must parse and only name metrics that the target's device type has. */
  function check(w: RuleWrite | (Omit<RuleWrite, 'condition'> & { condition: unknown })): RuleWrite {
    if ((w.deviceTypeId === null) === (w.deviceId === null)) {
      throw new AppError('validation_failed', 'A rule applies to exactly one of deviceTypeId or deviceId');
    }
    const parsed = parseRuleNode(w.condition);
    if (!parsed.ok)
      throw new AppError('validation_failed', 'Invalid rule condition', { errors: parsed.errors });
    const typeId = w.deviceTypeId ?? d.directory.get(w.deviceId!)?.typeId;
    if (!typeId) throw new AppError('validation_failed', `unknown device ${w.deviceId}`);
    const type = d.directory.type(typeId);
    if (!type) throw new AppError('validation_failed', `unknown device type ${typeId}`);
    const unknown = ruleMetrics(parsed.node).filter((m) => m !== '*' && !type.metrics.has(m));
    if (unknown.length) {
      throw new AppError('validation_failed', `Device type ${typeId} has no metric ${unknown.join(', ')}`, {
        metrics: [...type.metrics.keys()],
      });
    }
    return { ...w, condition: parsed.node as RuleNode };
  }

  async function visible(rule: Rule, p: Principal): Promise<boolean> {
    if (rule.deviceId === null) return true;
    const scope = scopeOf(p);
    if (scope === undefined) return true;
    const device = d.directory.get(rule.deviceId) ?? (await d.directory.lookup(rule.deviceId));
    return inScope(scope, device?.unitGridCode);
  }

  return {
    /** Rules for device types, and rules for single devices in the caller's scope. */
    async list(
      f: { deviceTypeId?: string; deviceId?: string; enabled?: boolean },
      p?: Principal,
    ): Promise<Rule[]> {
      const rules = await d.repo.list(f);
      if (!p) return rules;
      const seen = await Promise.all(rules.map((r) => visible(r, p)));
      return rules.filter((_r, i) => seen[i]);
    },

    /** One rule; a rule for a device outside the caller's scope is not found. */
    async get(id: number, p?: Principal): Promise<Rule> {
      const rule = await d.repo.get(id);
      if (!rule || (p && !(await visible(rule, p)))) throw notFound('rule', id);
      return rule;
    },

    async create(input: RuleInput & { name: string; severity: Severity; condition: unknown }): Promise<Rule> {
      const w = check({
        name: input.name,
        deviceTypeId: input.deviceTypeId ?? null,
        deviceId: input.deviceId ?? null,
        condition: input.condition,
        severity: input.severity,
        enabled: input.enabled ?? true,
        caseCategory: input.caseCategory ?? null,
        caseUrgency: input.caseUrgency ?? null,
      });
      const rule = await d.repo.insert(w);
      await audit.record(d.db, {
        action: 'config.rule',
        object: `rule:${rule.id}`,
        details: { before: null, after: w },
      });
      await d.engine.reload();
      return rule;
    },

    async update(id: number, input: RuleInput): Promise<Rule> {
      const current = await d.repo.get(id);
      if (!current) throw notFound('rule', id);
      const merged = {
        name: input.name ?? current.name,
        deviceTypeId: input.deviceTypeId !== undefined ? input.deviceTypeId : current.deviceTypeId,
        deviceId: input.deviceId !== undefined ? input.deviceId : current.deviceId,
        condition: input.condition !== undefined ? input.condition : current.condition,
        severity: input.severity ?? current.severity,
        enabled: input.enabled ?? current.enabled,
        caseCategory: input.caseCategory !== undefined ? input.caseCategory : current.caseCategory,
        caseUrgency: input.caseUrgency !== undefined ? input.caseUrgency : current.caseUrgency,
      };
      // Moving a rule from a device type to a device (or back) names only the new target.
      if (input.deviceId && input.deviceTypeId === undefined) merged.deviceTypeId = null;
      if (input.deviceTypeId && input.deviceId === undefined) merged.deviceId = null;
      const rule = await d.repo.update(id, check(merged));
      if (!rule) throw notFound('rule', id);
      await audit.record(d.db, {
        action: 'config.rule',
        object: `rule:${id}`,
        details: changes(current as unknown as Record<string, unknown>, { ...current, ...merged }),
      });
      await d.engine.reload();
      return rule;
    },

    async remove(id: number): Promise<void> {
      try {
        const before = await d.repo.get(id);
        if (!(await d.repo.delete(id))) throw notFound('rule', id);
        await audit.record(d.db, {
          action: 'config.rule',
          object: `rule:${id}`,
          details: { before, after: null },
        });
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === '23001' || code === '23503') {
          throw new AppError(
            'conflict',
            `Rule ${id} has alarms in its history; disable it instead (enabled: false)`,
          );
        }
        throw e;
      }
      await d.engine.reload();
    },
  };
}
export type RulesService = ReturnType<typeof rulesService>;
