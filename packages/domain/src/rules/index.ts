export * from './evaluate.ts';
export * from './explain.ts';
export * from './types.ts';
export * from './validate.ts';
