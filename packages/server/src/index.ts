export { assessmentRepository } from './assessment/assessment.repository.ts';
export { assessmentService } from './assessment/assessment.service.ts';
export { pruneAudit, type VerifyResult, verifyAuditChain } from './audit/audit.service.ts';
export { audit } from './audit/audit.ts';
export { type AccountsService, accountsService, passwordMessage } from './auth/accounts.service.ts';
export { snapshotPng } from './cameras/snapshot.ts';
export { loadCategoryCatalogue } from './categories/catalogue.ts';
export * from './config.ts';
export { type BackupManifest, backupEmbedded, restoreEmbedded } from './db/backup.ts';
export * from './db/db.ts';
export * from './db/migrate.ts';
export * from './db/open.ts';
export { DataDirLockedError, openPglite } from './db/pglite.ts';
export {
  createDeliveries,
  type Deliveries,
  type DeliveryOptions,
  retryDelayMs,
  signBody,
} from './deliveries/deliveries.service.ts';
export * from './errors.ts';
export { federationRepository } from './federation/federation.repository.ts';
export { keyIdOf, newKeyPair, sign, verify } from './federation/keys.ts';
export * from './geo/index.ts';
export * from './import/index.ts';
export { BrokerPortInUseError, telemetryTopic } from './iot/broker.ts';
export { type IngestOptions, type IngestRole, startIngestRole } from './iot/ingest.role.ts';
export { createIot, type Iot, type IotRole, startIot } from './iot/iot.ts';
export { type MosquittoProcess, mosquittoUnavailable, startMosquitto } from './iot/mosquitto.process.ts';
export { type Subscriber, startSubscriber } from './iot/mqtt.subscriber.ts';
export * from './logger.ts';
export { type LeaseState, releaseLease, startLeader, tryLease } from './roles/lease.ts';
export { allRoles, instanceId, type Job, type Module, parseRoles, type Role } from './roles/roles.ts';
export { type CityYearOptions, measurePart, type PartFigure, seedCityYear } from './seed/city-year.ts';
export {
  demoAccounts,
  formatDemoAccounts,
  prepareCity,
  type SeedDemoOptions,
  type SeedDemoResult,
  seedDemo,
} from './seed/demo.ts';
export { startDemoLoop } from './seed/demo-loop.ts';
export { makeLoopCity, square } from './seed/loop-city.factory.ts';
export * from './server.ts';
export { vitalsRepository } from './vitals/vitals.repository.ts';
export { type VitalsEngine, vitalsEngine } from './vitals/vitals.service.ts';
