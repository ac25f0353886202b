import { categoryKinds } from '@onegrid/domain';
import { type Static, Type } from '@sinclair/typebox';

export const CategoryKindSchema = Type.Union(categoryKinds.map((k) => Type.Literal(k)));

export const CategorySchema = Type.Object(
  {
    kind: CategoryKindSchema,
    code: Type.String({ description: 'Category code: 5 digits (GB/T 47678.5-2026) or 4 (legacy)' }),
    name: Type.String(),
    standard: Type.String(),
    majorCode: Type.String(),
    majorName: Type.String(),
    mapsTo: Type.Union([Type.String(), Type.Null()], {
      description: 'For legacy codes: the current code of the same thing, when one matches',
    }),
    local: Type.Boolean({ description: 'A local extension (minor numbered down from 999)' }),
    active: Type.Boolean(),
    hint: Type.Union([Type.String(), Type.Null()], { description: 'What tells it apart when reporting' }),
    confusableWith: Type.Array(Type.String(), { description: 'Codes reporters easily confuse it with' }),
    edited: Type.Boolean({ description: 'Changed by an administrator; catalogue updates leave it alone' }),
    ownerArea: Type.Union([Type.String(), Type.Null()], {
      description:
        "The district or street whose local category it is (used in its subtree only); null: the city's",
    }),
  },
  { $id: 'Category' },
);
export type Category = Static<typeof CategorySchema>;

export const CategoryListQuery = Type.Object({
  kind: Type.Optional(CategoryKindSchema),
  q: Type.Optional(Type.String({ maxLength: 64, description: 'Code prefix or part of the name' })),
  major: Type.Optional(Type.String({ pattern: '^\\d{2}$' })),
  active: Type.Optional(Type.Boolean()),
});
export type CategoryListQuery = Static<typeof CategoryListQuery>;

export const CreateCategoryBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('component'), Type.Literal('event')]),
    majorCode: Type.String({ pattern: '^\\d{2}$' }),
    name: Type.String({ minLength: 1, maxLength: 64 }),
    code: Type.Optional(
      Type.String({ pattern: '^\\d{5}$', description: 'Defaults to the next free local code' }),
    ),
    hint: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type CreateCategoryBody = Static<typeof CreateCategoryBody>;

export const UpdateCategoryBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    active: Type.Optional(Type.Boolean()),
    hint: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateCategoryBody = Static<typeof UpdateCategoryBody>;

export const CategoryParams = Type.Object({
  kind: CategoryKindSchema,
  code: Type.String({ pattern: '^\\d{4,5}$' }),
});
