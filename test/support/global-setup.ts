import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource } from '../../src/database/data-source';
import { startEmbeddedDatabase } from '../../src/database/embedded-database';
import { CLUSTER_ENV, databaseUrl, withAdmin } from './test-database';

declare global {
  var __KEHU_TEST_TEARDOWN__: (() => Promise<void>) | undefined;
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Starts an embedded PostgreSQL when DATABASE_URL is unset (or uses DATABASE_URL's server),
 * migrates a template database once, and lets each test file copy it.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!adminUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'kehu-test-pg-'));
    chmodSync(dir, 0o755); // initdb runs as the postgres user when we are root
    const embedded = await startEmbeddedDatabase(dir, await freePort(), undefined, false);
    adminUrl = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const template = `kehu_tpl_${process.pid}`;
  await withAdmin(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${template}`);
  });
  const dataSource = createDataSource({
    url: databaseUrl(adminUrl, template),
    poolMax: 1,
    statementTimeoutMs: 0,
  });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();

  process.env[CLUSTER_ENV] = JSON.stringify({ adminUrl, templateDatabase: template });
  globalThis.__KEHU_TEST_TEARDOWN__ = async () => {
    await withAdmin(adminUrl!, (client) =>
      client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`),
    );
    if (stopEmbedded) await stopEmbedded();
  };
}
