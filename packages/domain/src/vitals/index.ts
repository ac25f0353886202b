export * from './defaults.ts';
export * from './levels.ts';
export * from './types.ts';
