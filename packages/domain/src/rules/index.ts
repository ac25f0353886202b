export * from './evaluate.ts';
export * from './types.ts';
export * from './validate.ts';
