import {
  allRoles,
  buildServer,
  createLogger,
  formatDemoAccounts,
  instanceId,
  loadConfig,
  migrate,
  openDatabase,
  parseRoles,
  prepareCity,
  startDemoLoop,
} from '@onegrid/server';
import type { Command } from 'commander';
import { startDemoSimulation } from '../simulate/demo.ts';
import type { Simulation } from '../simulate/run.ts';

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('run OneGrid: API, web app, broker, simulator (what npm start runs)')
    .option(
      '--role <roles>',
      'what this process does: api, ingest, scheduler or all; several comma-separated (api,ingest)',
      'all',
    )
    .option('--no-demo', 'do not load the demo city on first start')
    .option('--no-simulator', 'do not start the device simulator')
    .action(async (opts: { role: string; demo: boolean; simulator: boolean }) => {
      const roles = parseRoles(opts.role);
      const everything = roles.size === allRoles.length;
      const config = loadConfig();
      const log = createLogger(config);
      const db = await openDatabase(config);
      await migrate(db, (m) => log.info({ category: 'db' }, m));
      // Category catalogue always; the demo city on first start (an empty areas table) unless
      // --no-demo — by a process that serves the API, so split roles do not seed twice.
      const city = roles.has('api')
        ? await prepareCity(db, {
            demo: opts.demo,
            sharedDataDir: config.sharedDataDir,
            progress: (m) => log.info({ category: 'seed' }, m),
          })
        : { accounts: [] };
      const instance = instanceId();
      const server = await buildServer({
        db,
        log,
        config,
        roles,
        scheduler: { holder: instance },
        // The ingest role: embedded MQTT broker, or a shared-subscription worker when MQTT_URL is set.
        // When the default port 1883 is taken (a system Mosquitto, say) and ONEGRID_MQTT_PORT was
        // not set, the embedded broker moves to the next free port and says so.
        ingest: {
          config,
          portFallback: !config.mqttUrl && !process.env.ONEGRID_MQTT_PORT,
          clientId: config.mqttClientId ?? `onegrid-${instance}`,
          group: config.mqttShareGroup,
          topicPrefix: config.mqttTopicPrefix,
        },
      }).catch(async (e: unknown) => {
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
        await server.close();
        await db.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void shutdown('SIGINT'));
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      await server.app.listen({ port: config.port, host: config.host });
      const url = `http://localhost:${config.port}`;
      console.log(
        roles.has('api')
          ? `\nOneGrid is running at ${url}  (API docs: ${url}/api/docs)`
          : `\nOneGrid (${[...roles].join(', ')}) is running; health at ${url}/api/v1/health`,
      );
      if (!everything) console.log(`roles: ${[...roles].join(', ')}`);
      console.log(
        `database: ${config.databaseUrl ? 'PostgreSQL (server mode)' : `embedded PGlite in ${config.dataDir}`}`,
      );
      const ingest = server.ingest();
      if (ingest) {
        const broker = ingest.state();
        console.log(
          `MQTT: ${broker.mode === 'external' ? `ingesting from ${broker.url}${broker.connected ? '' : ' (not reachable yet: retrying)'}` : `embedded broker on ${broker.url}`}\n`,
        );
      }
      if (city.accounts.length > 0) console.log(formatDemoAccounts(city.accounts));
      // The demo (history, a trickle of reports, simulated devices) belongs to a single `serve`.
      if (!everything) return;
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
        const mqttUrl = config.mqttUrl ?? `mqtt://127.0.0.1:${ingest?.port ?? config.mqttPort}`;
        sim = await startDemoSimulation({
          server,
          db,
          log,
          mqttUrl,
          ...(config.mqttUrl ? { topicPrefix: config.mqttTopicPrefix } : {}),
        }).catch((e: unknown) => {
          log.warn({ err: e, category: 'simulator' }, 'the demo simulator did not start');
          return undefined;
        });
        if (sim)
          console.log(`simulator: ${sim.devices.length} demo devices publishing (--no-simulator to stop)\n`);
      }
    });
}
