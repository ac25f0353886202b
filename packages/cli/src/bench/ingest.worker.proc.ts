/**
 * A second (third …) ingest process for `onegrid bench ingest --workers N` in server mode: the
 * same code as `onegrid serve`'s ingest role, on the bench's scratch database and broker, in the
 * bench's share group, so N processes split one stream. Reports what it stored to the parent.
 */
import { createIot, createLogger, openDatabase, startIot } from '@onegrid/server';

export type FromWorker = { type: 'ready' } | { type: 'accepted'; n: number; cpuMs: number };

const log = createLogger({ logLevel: 'warn', logPretty: false });
const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL as string, dataDir: '' });
const iot = await createIot({ db, log, config: { ingestDeviceRate: 1_000_000 } });
const role = await startIot({
  iot,
  db,
  log,
  config: { mqttPort: 0, mqttUrl: process.env.MQTT_URL as string, ingestDeviceRate: 1_000_000 },
  group: process.env.SHARE_GROUP as string,
  clientId: process.env.CLIENT_ID as string,
  connections: Number(process.env.CONNECTIONS ?? 2),
  receiveMaximum: Number(process.env.RECEIVE_MAXIMUM ?? 20_000),
  sessionExpiry: 0,
});
const send = (m: FromWorker) => process.send?.(m);
send({ type: 'ready' });
const timer = setInterval(() => {
  const cpu = process.cpuUsage();
  send({ type: 'accepted', n: iot.stats.totals().accepted, cpuMs: (cpu.user + cpu.system) / 1000 });
}, 20);
process.on('disconnect', () => {
  clearInterval(timer);
  void role
    .close()
    .then(() => iot.close())
    .then(() => db.close())
    .finally(() => process.exit(0));
});
