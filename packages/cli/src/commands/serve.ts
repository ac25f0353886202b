import { buildServer, createLogger, loadConfig, migrate, openDatabase } from '@onegrid/server';
import type { Command } from 'commander';

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('run OneGrid: API, web app, broker, simulator (what npm start runs)')
    .option('--no-demo', 'do not load the demo city on first start')
    .option('--no-simulator', 'do not start the device simulator')
    .action(async (_opts: { demo: boolean; simulator: boolean }) => {
      const config = loadConfig();
      const log = createLogger(config);
      const db = await openDatabase(config);
      await migrate(db, (m) => log.info({ category: 'db' }, m));
      const server = await buildServer({ db, log, config });
      let closing = false;
      const shutdown = async (signal: string) => {
        if (closing) return;
        closing = true;
        log.info(`${signal}: shutting down`);
        const force = setTimeout(() => process.exit(1), 10_000);
        force.unref();
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
        `database: ${config.databaseUrl ? 'PostgreSQL (server mode)' : `embedded PGlite in ${config.dataDir}`}\n`,
      );
    });
}
