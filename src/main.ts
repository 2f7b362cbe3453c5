import 'reflect-metadata';
import { createKehuApp } from './app.factory';
import { AuthService } from './auth/auth.service';
import { bootDatabase, loadConfigOrExit } from './boot';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const say = (line: string) => process.stdout.write(`[kehu] ${line}\n`);
  const database = await bootDatabase(config, { applicationName: 'kehu-api', log: say });
  const app = await createKehuApp(config, database.dataSource);

  const bootstrap = await app.get(AuthService).bootstrapDemo();
  if (bootstrap) {
    say('created tenant "demo" with an all-scopes API client; the secret is shown only this once:');
    say(`  KEHU_CLIENT_ID=${bootstrap.clientId}`);
    say(`  KEHU_CLIENT_SECRET=${bootstrap.clientSecret}`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: draining requests and stopping`);
    const force = setTimeout(() => {
      say('shutdown grace period over; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 10_000);
    force.unref();
    try {
      await app.close(); // stops accepting, waits for in-flight requests, runs shutdown hooks
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

  await app.listen({ port: config.port, host: config.host });
  say(`listening on http://localhost:${config.port}  (REST /v1, GraphQL /graphql, docs /docs)`);
}

main().catch((error) => {
  process.stderr.write(
    `kehu failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
