import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { createDataSource } from './database/data-source';
import { startEmbeddedDatabase } from './database/embedded-database';

export interface BootedDatabase {
  config: AppConfig;
  dataSource: DataSource;
  /** Stops what boot started: the pool, and the embedded server if this process owns it. */
  close(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/**
 * Finds or starts the database and brings its schema up to date. Without DATABASE_URL the
 * embedded PostgreSQL is used; if another Kehu process (the server, say, while the CLI runs)
 * already has it up, that one is reused instead of starting a second on the same data dir.
 */
export async function bootDatabase(
  config: AppConfig,
  options: { applicationName: string; log?: (line: string) => void; runMigrations?: boolean },
): Promise<BootedDatabase> {
  const log = options.log ?? (() => undefined);
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    const embeddedUrl = `postgres://postgres:postgres@127.0.0.1:${config.embeddedPgPort}/kehu`;
    if (await answers(embeddedUrl)) {
      url = embeddedUrl;
    } else {
      log(`starting embedded PostgreSQL in ${config.dataDir}/pg on port ${config.embeddedPgPort}`);
      const embedded = await startEmbeddedDatabase(config.dataDir, config.embeddedPgPort);
      url = embedded.url;
      stopEmbedded = embedded.stop;
    }
  }
  const dataSource = createDataSource({
    url,
    poolMax: config.dbPoolMax,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    applicationName: options.applicationName,
  });
  try {
    await dataSource.initialize();
    if (options.runMigrations ?? config.runMigrations) {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      for (const migration of applied) log(`applied migration ${migration.name}`);
    }
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    if (stopEmbedded) await stopEmbedded();
    throw error;
  }
  return {
    config,
    dataSource,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      if (stopEmbedded) await stopEmbedded();
    },
  };
}
