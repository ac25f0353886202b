/**
 * The composition root: wires repositories and services with their explicit deps and mounts
 * the routes. `onegrid serve` and the HTTP tests both build the server here.
 */

import { authRepository } from './auth/auth.repository.ts';
import { authRoutes, UserSchema } from './auth/auth.routes.ts';
import { authService } from './auth/auth.service.ts';
import type { Config } from './config.ts';
import type { Db } from './db/db.ts';
import { type App, createApp } from './http/app.ts';
import { ErrorBody } from './http/schemas.ts';
import type { Logger } from './logger.ts';
import { healthRoutes } from './system/health.routes.ts';

export interface ServerDeps {
  db: Db;
  log: Logger;
  config: Pick<Config, 'sessionHours' | 'webDir'>;
  clock?: () => Date;
}

export interface Server {
  app: App;
  close(): Promise<void>;
}

export async function buildServer({
  db,
  log,
  config,
  clock = () => new Date(),
}: ServerDeps): Promise<Server> {
  const auth = authService({ users: authRepository(db), clock, sessionHours: config.sessionHours });
  const app = await createApp({ logger: log.child({ category: 'http' }), auth, webDir: config.webDir });
  app.addSchema(ErrorBody);
  app.addSchema(UserSchema);

  authRoutes(app, auth);
  healthRoutes(app, { db, broker: () => ({ mode: 'off', connected: false }), startedAt: new Date() });

  await app.ready();
  return {
    app,
    async close() {
      await app.close();
    },
  };
}
