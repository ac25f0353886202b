import {
  BrokerPortInUseError,
  buildServer,
  type Config,
  createLogger,
  type Db,
  formatDemoAccounts,
  type Logger,
  loadConfig,
  migrate,
  openDatabase,
  prepareCity,
  type Server,
  startDemoLoop,
  startIot,
} from '@onegrid/server';
import type { Command } from 'commander';
import { startDemoSimulation } from '../simulate/demo.ts';
import type { Simulation } from '../simulate/run.ts';

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('run OneGrid: API, web app, broker, simulator (what npm start runs)')
    .option('--no-demo', 'do not load the demo city on first start')
    .option('--no-simulator', 'do not start the device simulator')
    .action(async (opts: { demo: boolean; simulator: boolean }) => {
      const config = loadConfig();
      const log = createLogger(config);
      const db = await openDatabase(config);
      await migrate(db, (m) => log.info({ category: 'db' }, m));
      // Category catalogue always; the demo city on first start (an empty areas table) unless --no-demo.
      const city = await prepareCity(db, {
        demo: opts.demo,
        sharedDataDir: config.sharedDataDir,
        progress: (m) => log.info({ category: 'seed' }, m),
      });
      const server = await buildServer({ db, log, config });
      // The ingest role: embedded MQTT broker, or a shared-subscription worker when MQTT_URL is set.
      const ingest = await startIngest(server, db, log, config).catch(async (e: unknown) => {
        await server.close();
        await db.close();
        throw e;
      });
      let sim: Simulation | undefined;
      let closing = false;
      const shutdown = async (signal: string) => {
        if (closing) return;
        closing = true;
        log.info(`${signal}: shutting down`);
        const force = setTimeout(() => process.exit(1), 10_000);
        force.unref();
        await sim?.stop().catch(() => undefined);
        await ingest.close();
        await server.close();
        await db.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void shutdown('SIGINT'));
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      await server.app.listen({ port: config.port, host: config.host });
      const url = `http://localhost:${config.port}`;
      console.log(`\nOneGrid is running at ${url}  (API docs: ${url}/api/docs)`);
      console.log(
        `database: ${config.databaseUrl ? 'PostgreSQL (server mode)' : `embedded PGlite in ${config.dataDir}`}`,
      );
      const broker = ingest.brokerState();
      console.log(
        `MQTT: ${broker.mode === 'external' ? `ingesting from ${broker.url}` : `embedded broker on ${broker.url}`}\n`,
      );
      if (city.accounts.length > 0) console.log(formatDemoAccounts(city.accounts));
      // The demo loop: matrix, handlers, weeks of history on first start, then a trickle of reports.
      let demoLoop: { stop(): void } | undefined;
      if (city.accounts.length > 0) {
        void startDemoLoop(server, db, log, { attachmentsDir: config.attachmentsDir })
          .then((l) => {
            demoLoop = l;
          })
          .catch((e: unknown) =>
            log.warn({ err: e, category: 'seed' }, 'the demo case history did not load'),
          );
      }
      process.once('beforeExit', () => demoLoop?.stop());
      // A light simulation keeps the demo alive: readings, now and then an alarm and its case.
      if (opts.simulator && city.accounts.length > 0) {
        const mqttUrl = config.mqttUrl ?? `mqtt://127.0.0.1:${ingest.port ?? config.mqttPort}`;
        sim = await startDemoSimulation({ server, db, log, mqttUrl }).catch((e: unknown) => {
          log.warn({ err: e, category: 'simulator' }, 'the demo simulator did not start');
          return undefined;
        });
        if (sim)
          console.log(`simulator: ${sim.devices.length} demo devices publishing (--no-simulator to stop)\n`);
      }
    });
}

/**
 * The ingest role. When the default MQTT port 1883 is taken (a system Mosquitto, say) and
 * ONEGRID_MQTT_PORT was not set, the embedded broker moves to the next free port and says so,
 * so `npm start` works anyway; an explicitly configured port that is taken stays an error.
 */
async function startIngest(server: Server, db: Db, log: Logger, config: Config) {
  try {
    const health = { readiness: server.readiness, stallSeconds: config.ingestStallSeconds };
    return await startIot({ iot: server.iot, db, log, config, ...health });
  } catch (e) {
    if (!(e instanceof BrokerPortInUseError) || config.mqttUrl || process.env.ONEGRID_MQTT_PORT) throw e;
    for (const port of [1884, 1885, 1886, 1887, 1888, 0]) {
      try {
        const ingest = await startIot({
          iot: server.iot,
          db,
          log,
          config: { ...config, mqttPort: port },
          readiness: server.readiness,
          stallSeconds: config.ingestStallSeconds,
        });
        const msg = `MQTT port ${config.mqttPort} is in use (another broker?); the embedded broker listens on ${ingest.port} instead. Set ONEGRID_MQTT_PORT to choose.`;
        log.warn({ category: 'ingest' }, msg);
        console.log(`\n${msg}`);
        return ingest;
      } catch (again) {
        if (!(again instanceof BrokerPortInUseError)) throw again;
      }
    }
    throw e;
  }
}
