export {
  bumpGeoRevision,
  defaultBatchSize,
  type ImportFileRequest,
  importFile,
  importRows,
  type OpenedImport,
  openFileImport,
} from './import.service.ts';
export { importKinds } from './kinds/index.ts';
export { openImportFile } from './readers/index.ts';
export { getRun, type ImportRunRow } from './runs.ts';
export * from './types.ts';
