/**
 * The administrator's API (系统管理): users, departments and their area picker, and the import
 * upload with its reports. Categories, loop settings (deadlines, working calendar), the
 * responsibility matrix, devices and rules have their routes with their own modules.
 */
import type { AuthService } from '../auth/auth.service.ts';
import type { Db } from '../db/db.ts';
import type { App } from '../http/app.ts';
import { departmentRoutes } from './departments.routes.ts';
import { defaultImportUploadBytes, importRoutes } from './import.routes.ts';
import { userSecurityRoutes } from './user-security.routes.ts';
import { userRoutes } from './users.routes.ts';

export interface AdminDeps {
  db: Db;
  auth: AuthService;
  /** Reloads the locate index after an import wrote areas or grids. */
  refreshGeo: () => Promise<void>;
  importMaxBytes?: number;
}

export function adminRoutes(app: App, deps: AdminDeps) {
  userRoutes(app, { db: deps.db, auth: deps.auth });
  userSecurityRoutes(app, { db: deps.db, auth: deps.auth });
  departmentRoutes(app, { db: deps.db });
  importRoutes(app, {
    db: deps.db,
    maxBytes: deps.importMaxBytes ?? defaultImportUploadBytes,
    refreshGeo: deps.refreshGeo,
  });
}
