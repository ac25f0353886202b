/**
 * A Mosquitto of the test's own: `startMosquitto` (src/iot/mosquitto.process.ts, what the bench
 * uses too) with `deploy/mosquitto.conf` on a free port and its own persistence directory; tests
 * never use the machine's broker. Skip with a clear message where `mosquitto` is not installed
 * (`mosquittoMissing`).
 *
 * Anonymous access is off and the dynamic-security plugin is on, as in production: the broker's
 * own `dynamic-security.json` holds an administrator, the ingest workers' client, and a test
 * publisher that may publish to every device's telemetry topic (tests that are not about
 * authentication use it instead of one client per device).
 */
import crypto from 'node:crypto';
import {
  type Credentials,
  deployMosquittoConf,
  freePort,
  type MosquittoProcess,
  mosquittoUnavailable,
  startMosquitto,
} from '../src/iot/mosquitto.process.ts';

export { freePort };
export const deployConf = deployMosquittoConf;

/** Why broker tests are skipped here, or undefined when Mosquitto can run. */
export const mosquittoMissing: string | undefined = mosquittoUnavailable();

export interface TestBroker extends MosquittoProcess {
  /** `url` with the worker's credentials in it, for `startIngestWorker({ url })`. */
  workerUrl: string;
  /** May publish to `onegrid/devices/+/telemetry` (any device): a load generator, not a device. */
  publisher: Credentials;
}

/**
 * Starts Mosquitto with `deploy/mosquitto.conf` (plus `extraConf` lines) on a free port.
 * `extraConf` may use `{dir}` for the broker's directory.
 */
export async function startTestBroker(
  options: { extraConf?: string[]; port?: number } = {},
): Promise<TestBroker> {
  const publisher = {
    username: 'onegrid-test-publisher',
    password: crypto.randomBytes(12).toString('base64url'),
  };
  const broker = await startMosquitto({
    ...options,
    clients: [
      {
        ...publisher,
        rolename: 'onegrid-test-publisher',
        acls: [{ acltype: 'publishClientSend', topic: 'onegrid/devices/+/telemetry', allow: true }],
      },
    ],
  });
  const { worker, port } = broker;
  return {
    ...broker,
    publisher,
    workerUrl: `mqtt://${worker.username}:${worker.password}@127.0.0.1:${port}`,
  };
}
