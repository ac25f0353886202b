import { prepareTestDatabases } from './db-harness.ts';

export default async function setup(): Promise<void> {
  await prepareTestDatabases();
}
