/**
 * Plans (预案) and resources (队伍, 车辆, 泵车, 物资储备点, 专家, 避难场所) as data: checked,
 * scoped by area, audited. The nearest available resource of a kind comes from the KNN index.
 */
import { inScope, planProblems } from '@onegrid/domain';
import { audit } from '../audit/audit.ts';
import type { Principal } from '../auth/auth.service.ts';
import type { Db } from '../db/db.ts';
import { AppError, badRequest, forbidden, notFound } from '../errors.ts';
import { emit } from '../events/outbox.ts';
import type { NearestQuery, PlanBody, PlanJson, ResourceBody, ResourceJson } from './emergency.schema.ts';
import { plansRepository } from './plans.repository.ts';
import { resourcesRepository } from './resources.repository.ts';

const inScopeOrOver = (p: Principal, code: string) => inScope(p, code) || inScope(code, p.scopeCode);

export function catalogueService({ db }: { db: Db }) {
  const plans = plansRepository(db);
  const resources = resourcesRepository(db);
  const own = (p: Principal, code: string) => {
    if (!inScope(p, code)) throw forbidden(`Area ${code} is outside your scope ${p.scopeCode}`);
  };
  async function checkPlan(b: PlanBody) {
    const problems = planProblems(b as Parameters<typeof planProblems>[0]);
    const missing = await plans.missingDepartments(
      b.steps.map((s) => s.departmentCode).filter((c): c is string => c !== null),
    );
    for (const m of missing) problems.push(`department ${m} does not exist`);
    if (problems.length) throw badRequest(problems.join('; '), problems);
  }
  async function checkResource(b: ResourceBody) {
    if (b.status === 'dispatched')
      throw badRequest('a resource is dispatched to an incident, not set dispatched by hand');
    const r = await db.query('SELECT 1 FROM areas WHERE code = $1', [b.areaCode]);
    if (!r.rows.length) throw notFound('area', b.areaCode);
    if (b.departmentCode && (await plans.missingDepartments([b.departmentCode])).length) {
      throw badRequest(`department ${b.departmentCode} does not exist`);
    }
  }
  return {
    listPlans: (p: Principal): Promise<PlanJson[]> => plans.list(p.scopeCode),
    async getPlan(p: Principal, id: number): Promise<PlanJson> {
      const plan = await plans.get(id);
      if (!plan || !inScopeOrOver(p, plan.areaCode)) throw notFound('plan', id);
      return plan;
    },
    async createPlan(p: Principal, b: PlanBody): Promise<PlanJson> {
      own(p, b.areaCode);
      await checkPlan(b);
      const id = await db.transaction(async (tx) => {
        const id = await plansRepository(tx).insert(b);
        if (!id) throw new AppError('conflict', `a plan with code ${b.code} exists`);
        await audit.record(tx, { action: 'emergency.plan.create', object: `plan:${id}`, details: { ...b } });
        return id;
      });
      return (await plans.get(id))!;
    },
    async updatePlan(p: Principal, id: number, b: PlanBody): Promise<PlanJson> {
      const before = await plans.get(id);
      if (!before || !inScope(p, before.areaCode)) throw notFound('plan', id);
      own(p, b.areaCode);
      await checkPlan(b);
      await db.transaction(async (tx) => {
        const clash = await tx.query('SELECT 1 FROM emergency_plans WHERE code = $1 AND id <> $2', [
          b.code,
          id,
        ]);
        if (clash.rows.length) throw new AppError('conflict', `a plan with code ${b.code} exists`);
        await plansRepository(tx).update(id, b);
        await audit.record(tx, {
          action: 'emergency.plan.update',
          object: `plan:${id}`,
          details: { before, after: b },
        });
      });
      return (await plans.get(id))!;
    },
    async deletePlan(p: Principal, id: number): Promise<void> {
      const plan = await plans.get(id);
      if (!plan || !inScope(p, plan.areaCode)) throw notFound('plan', id);
      if (await plans.used(id)) {
        throw new AppError('conflict', `plan ${plan.code} has incidents; set it inactive instead`);
      }
      await db.transaction(async (tx) => {
        await plansRepository(tx).delete(id);
        await audit.record(tx, {
          action: 'emergency.plan.update',
          object: `plan:${id}`,
          details: { deleted: plan },
        });
      });
    },

    listResources(
      p: Principal,
      q: { kind?: ResourceJson['kind']; status?: ResourceJson['status']; area?: string },
    ) {
      const scope = q.area ?? p.scopeCode;
      own(p, scope);
      return resources.list({ scope, ...q });
    },
    nearest(p: Principal, q: NearestQuery): Promise<ResourceJson[]> {
      return resources.nearest({
        scope: p.scopeCode,
        lng: q.lng,
        lat: q.lat,
        limit: q.limit ?? 5,
        ...(q.kind ? { kind: q.kind } : {}),
      });
    },
    async getResource(p: Principal, id: number): Promise<ResourceJson> {
      const r = await resources.get(id);
      if (!r || !inScope(p, r.areaCode)) throw notFound('resource', id);
      return r;
    },
    async createResource(p: Principal, b: ResourceBody): Promise<ResourceJson> {
      own(p, b.areaCode);
      await checkResource(b);
      const id = await db.transaction(async (tx) => {
        const id = await resourcesRepository(tx).insert(b);
        await audit.record(tx, {
          action: 'emergency.resource.create',
          object: `resource:${id}`,
          details: { ...b },
        });
        await emit(tx, 'emergency.resource', b.areaCode, { resourceId: id });
        return id;
      });
      return (await resources.get(id))!;
    },
    async updateResource(p: Principal, id: number, b: ResourceBody): Promise<ResourceJson> {
      own(p, b.areaCode);
      await checkResource(b);
      await db.transaction(async (tx) => {
        const before = await resourcesRepository(tx).get(id, true);
        if (!before || !inScope(p, before.areaCode)) throw notFound('resource', id);
        if (before.status === 'dispatched' && b.status && b.status !== 'dispatched') {
          throw new AppError(
            'conflict',
            `${before.name} is out on incident ${before.incidentId}; it comes back at stand-down`,
          );
        }
        await resourcesRepository(tx).update(id, b);
        await audit.record(tx, {
          action: 'emergency.resource.update',
          object: `resource:${id}`,
          details: { before, after: b },
        });
        await emit(tx, 'emergency.resource', b.areaCode, { resourceId: id });
      });
      return (await resources.get(id))!;
    },
    async deleteResource(p: Principal, id: number): Promise<void> {
      const r = await resources.get(id);
      if (!r || !inScope(p, r.areaCode)) throw notFound('resource', id);
      if (await resources.everDispatched(id)) {
        throw new AppError('conflict', `${r.name} has been dispatched before; set it unavailable instead`);
      }
      await db.transaction(async (tx) => {
        await resourcesRepository(tx).delete(id);
        await audit.record(tx, {
          action: 'emergency.resource.delete',
          object: `resource:${id}`,
          details: { deleted: r },
        });
        await emit(tx, 'emergency.resource', r.areaCode, { resourceId: id });
      });
    },
  };
}
export type CatalogueService = ReturnType<typeof catalogueService>;
