import { Type } from '@sinclair/typebox';
import { type App, principalOf } from '../http/app.ts';
import { errors } from '../http/schemas.ts';
import {
  CategoryListQuery,
  CategoryParams,
  CategorySchema,
  CreateCategoryBody,
  UpdateCategoryBody,
} from './categories.schema.ts';
import type { CategoriesService } from './categories.service.ts';

export function categoriesRoutes(app: App, categories: CategoriesService) {
  app.addSchema(CategorySchema);

  app.get(
    '/api/v1/categories',
    {
      config: { access: 'catalogue:read' },
      schema: {
        tags: ['categories'],
        summary: 'The category catalogue (部件/事件分类), searchable by code or name',
        querystring: CategoryListQuery,
        response: { 200: Type.Array(Type.Ref('Category')), ...errors(400, 401) },
      },
    },
    async (request) => {
      return categories.list(request.query, principalOf(request).scopeCode);
    },
  );

  app.post(
    '/api/v1/categories',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['categories'],
        summary: 'Add a local category under a standard major (administrators)',
        body: CreateCategoryBody,
        response: { 201: Type.Ref('Category'), ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      return reply
        .status(201)
        .send(await categories.createLocal(request.body, principalOf(request).scopeCode));
    },
  );

  app.patch(
    '/api/v1/categories/:kind/:code',
    {
      config: { access: 'config:write' },
      schema: {
        tags: ['categories'],
        summary: 'Rename, deactivate or re-hint a category (administrators)',
        params: CategoryParams,
        body: UpdateCategoryBody,
        response: { 200: Type.Ref('Category'), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const scope = principalOf(request).scopeCode;
      return categories.update(request.params.kind, request.params.code, request.body, scope);
    },
  );
}
