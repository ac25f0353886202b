export * from './areas.ts';
export * from './roles.ts';
