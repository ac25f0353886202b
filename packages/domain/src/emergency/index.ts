export * from './duty.ts';
export * from './levels.ts';
export * from './plans.ts';
export * from './resources.ts';
