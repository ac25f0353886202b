/** The cameras module: registry and detection routes, and the sweep that settles camera cases. */
import type { CaseService } from '../cases/case.service.ts';
import type { Db } from '../db/db.ts';
import type { GeoService } from '../geo/geo.service.ts';
import type { Logger } from '../logger.ts';
import { startLoop } from '../roles/loop.ts';
import { job, type Module } from '../roles/roles.ts';
import { cameraRoutes } from './camera.routes.ts';
import { type CameraService, cameraService, type Snapshots } from './camera.service.ts';

export interface Cameras extends Module {
  service: CameraService;
}

export function createCameras(d: {
  db: Db;
  log: Logger;
  clock: () => Date;
  cases: Pick<CaseService, 'report' | 'act' | 'get'>;
  geo: Pick<GeoService, 'locateWgs84'>;
  snapshots: Snapshots;
  sweepMs?: number;
}): Cameras {
  const service = cameraService(d);
  return {
    name: 'cameras',
    service,
    routes: (app) => cameraRoutes(app, service),
    jobs: [
      job(
        'cameras.sweep',
        ['scheduler'],
        () =>
          startLoop(
            () => service.sweep(),
            d.sweepMs ?? 30_000,
            (e) => d.log.warn({ err: e, category: 'cameras' }, 'camera sweep failed'),
          ),
        { once: true },
      ),
    ],
  };
}
