export * from './config.ts';
export * from './formulas.ts';
