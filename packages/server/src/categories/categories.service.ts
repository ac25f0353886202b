import { currentStandard, localCategoryProblem, nextLocalCode, ownsArea } from '@onegrid/domain';
import { audit, changes } from '../audit/audit.ts';
import type { Db } from '../db/db.ts';
import { AppError, badRequest, forbidden, notFound } from '../errors.ts';
import { type CategoriesRepository, categoriesRepository } from './categories.repository.ts';
import type {
  Category,
  CategoryListQuery,
  CreateCategoryBody,
  UpdateCategoryBody,
} from './categories.schema.ts';

export interface CategoriesDeps {
  categories: CategoriesRepository;
  /** Writes run in a transaction with their audit entry. */
  db: Db;
}

export function categoriesService({ categories, db }: CategoriesDeps) {
  return {
    list(query: CategoryListQuery, scope?: string): Promise<Category[]> {
      return categories.list(query, scope);
    },

    async get(kind: string, code: string): Promise<Category> {
      const c = await categories.get(kind, code);
      if (!c) throw notFound('Category', `${kind}/${code}`);
      return c;
    },

    /**
     * A local extension: the standard leaves gaps and cities have their own matters, so a city
     * adds minors under a standard major, numbered down from 999. A district's or street's
     * administrator adds them for its own subtree (`ownerArea`); the city's are everyone's.
     */
    async createLocal(body: CreateCategoryBody, scope: string): Promise<Category> {
      const ownerArea = ownsArea(scope, undefined) ? null : scope;
      const problem = localCategoryProblem(body.kind, body.majorCode, body.code);
      if (problem) throw badRequest(problem);
      const name = body.name.trim();
      if (!name) throw badRequest('A category needs a name');
      const clash = await categories.findByName(body.kind, name);
      if (clash) {
        throw new AppError('conflict', `${body.kind} category ${clash.code} is already called ${name}`, {
          code: clash.code,
        });
      }
      const majorName = await categories.majorName(body.kind, body.majorCode);
      if (!majorName) throw badRequest(`No ${body.kind} major ${body.majorCode} in the catalogue`);
      const taken = await categories.codesUnderMajor(body.kind, body.majorCode);
      let code = body.code;
      if (code === undefined) {
        code = nextLocalCode(body.majorCode, taken);
        if (!code) throw new AppError('conflict', `No local codes left under major ${body.majorCode}`);
      } else if (taken.includes(code)) {
        throw new AppError('conflict', `Category ${body.kind}/${code} exists already`);
      }
      const row = {
        kind: body.kind,
        code,
        standard: `${currentStandard} (local)`,
        majorCode: body.majorCode,
        majorName,
        name,
        hint: body.hint?.trim() || null,
        ownerArea,
      };
      await db.transaction(async (tx) => {
        await categoriesRepository(tx).insertLocal(row);
        await audit.record(tx, {
          action: 'config.category',
          object: `category:${body.kind}/${code}`,
          details: { before: null, after: row },
        });
      });
      return this.get(body.kind, code);
    },

    /** Rename, (de)activate or re-hint a category; the catalogue loader leaves it alone afterwards. */
    async update(kind: string, code: string, body: UpdateCategoryBody, scope: string): Promise<Category> {
      const current = await this.get(kind, code);
      // Scope on the object: the standard rows and the city's extensions are the city's; a
      // district's or street's own rows belong to its subtree.
      if (!ownsArea(scope, current.ownerArea))
        throw forbidden(`Category ${kind}/${code} belongs to ${current.ownerArea ?? 'the city'}`);
      const name = body.name?.trim();
      if (body.name !== undefined && !name) throw badRequest('A category needs a name');
      if (name && name !== current.name) {
        const clash = await categories.findByName(kind, name);
        if (clash) throw new AppError('conflict', `${kind} category ${clash.code} is already called ${name}`);
      }
      await db.transaction(async (tx) => {
        await categoriesRepository(tx).update(kind, code, { name, active: body.active, hint: body.hint });
        await audit.record(tx, {
          action: 'config.category',
          object: `category:${kind}/${code}`,
          details: changes(current as unknown as Record<string, unknown>, {
            ...current,
            ...(name !== undefined ? { name } : {}),
            ...(body.active !== undefined ? { active: body.active } : {}),
            ...(body.hint !== undefined ? { hint: body.hint } : {}),
          }),
        });
      });
      return this.get(kind, code);
    },
  };
}
export type CategoriesService = ReturnType<typeof categoriesService>;
