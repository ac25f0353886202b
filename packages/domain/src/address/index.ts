export * from './normalize.ts';
export * from './parse.ts';
