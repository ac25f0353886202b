import { type TSchema, Type } from '@sinclair/typebox';

/** The error body of CONTRACTS: `{ error: { code, message, details? } }`. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'Error' },
);

/** Standard error responses to merge into a route's `response` schema. */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref('Error')])) as Record<number, TSchema>;

export const AreaRef = Type.Object({ code: Type.String(), name: Type.String() });
