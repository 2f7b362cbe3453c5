import 'reflect-metadata';
import { createKehuApp } from './app.factory';
import { bootDatabase, loadConfigOrExit } from './boot';

/**
 * `npm run worker`: the background loops (event sequencer, webhook dispatcher, scheduler)
 * without the HTTP listener. Scale out by running API replicas with KEHU_RUN_WORKER=false and
 * one or more of these; SKIP LOCKED and advisory locks keep any number of workers apart.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  config.runWorker = true;
  const say = (line: string) => process.stdout.write(`[kehu-worker] ${line}\n`);
  const database = await bootDatabase(config, { applicationName: 'kehu-worker', log: say });
  const app = await createKehuApp(config, database.dataSource);
  await app.init(); // starts EventsWorker's loops; nothing listens on a port

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: finishing in-flight deliveries and jobs`);
    const force = setTimeout(() => process.exit(1), config.shutdownGraceMs + 10_000);
    force.unref();
    try {
      await app.close();
      await database.close();
      say('stopped');
      process.exit(0);
    } catch (error) {
      process.stderr.write(`shutdown failed: ${String(error)}\n`);
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  say('running: event sequencer, webhook dispatcher, scheduler');
}

main().catch((error) => {
  process.stderr.write(
    `kehu worker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
