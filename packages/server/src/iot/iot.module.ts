import type { CaseService } from '../cases/case.service.ts';
import type { Db } from '../db/db.ts';
import type { Logger } from '../logger.ts';
import { job, type Module } from '../roles/roles.ts';
import { type AlarmCases, startAlarmCases } from './alarm-cases.ts';
import { type IngestOptions, type IngestRole, startIngestRole } from './ingest.role.ts';
import { defaultIotConfig, type Iot, type IotConfig, iotRoutes, startIotMaintenance } from './iot.ts';

export interface IotModule extends Module {
  /** Alarm → case: `reconcile()` runs one pass now. */
  alarmCases: Pick<AlarmCases, 'reconcile'>;
  /** The ingest role of this process, once started (undefined without the `ingest` role or options). */
  ingest(): IngestRole | undefined;
}

/**
 * IoT as a module: the API (devices, rules, alarms, telemetry); ingestion (`ingest` role: the
 * embedded broker or the external broker's shared subscription); maintenance — partitions,
 * retention, devices going offline — once per deployment; alarm → case wherever alarms are
 * raised (idempotent per alarm, so several processes may run it).
 */
export function createIotModule(d: {
  iot: Iot;
  db: Db;
  log: Logger;
  clock: () => Date;
  config?: Partial<IotConfig>;
  cases: CaseService;
  /** Without it the `ingest` role starts no broker (tests start ingestion themselves). */
  ingest?: IngestOptions;
}): IotModule {
  const { iot, db, log, clock } = d;
  let alarmCases: AlarmCases | undefined;
  let ingest: IngestRole | undefined;
  const jobs = [
    job(
      'iot.alarm-cases',
      ['api', 'ingest', 'scheduler'],
      () => startAlarmCases({ db, log, clock, alarms: iot.alarms, cases: d.cases }),
      {
        onStart: (h) => {
          alarmCases = h;
        },
      },
    ),
    job(
      'iot.maintenance',
      ['scheduler'],
      () => startIotMaintenance({ iot, db, log, config: { ...defaultIotConfig, ...d.config }, clock }),
      { once: true },
    ),
  ];
  const options = d.ingest;
  if (options) {
    jobs.unshift(
      job('iot.ingest', ['ingest'], () => startIngestRole({ iot, db, log, options }), {
        onStart: (h) => {
          ingest = h;
        },
      }),
    );
  }
  return {
    name: 'iot',
    routes: (app) => iotRoutes(app, iot),
    jobs,
    alarmCases: {
      reconcile() {
        if (!alarmCases) throw new Error('alarm → case is not running in this process');
        return alarmCases.reconcile();
      },
    },
    ingest: () => ingest,
    close: () => iot.close(),
  };
}
