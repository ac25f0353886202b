export * from './component-mix.ts';
export * from './credit-code.ts';
export * from './gridding.ts';
export * from './names.ts';
export * from './prng.ts';
export * from './rhythm.ts';
export * from './shanghai.ts';
