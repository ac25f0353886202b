export * from './aspects.ts';
export * from './config.ts';
export * from './formulas.ts';
