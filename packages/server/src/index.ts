export * from './config.ts';
export * from './db/db.ts';
export * from './db/migrate.ts';
export * from './db/open.ts';
export { DataDirLockedError } from './db/pglite.ts';
export * from './errors.ts';
export * from './logger.ts';
export * from './server.ts';
