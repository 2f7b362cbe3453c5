import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Written by global-setup: where the test cluster is and which template to copy. */
export interface TestCluster {
  adminUrl: string;
  templateDatabase: string;
}

export const CLUSTER_ENV = 'KEHU_TEST_CLUSTER';

export function testCluster(): TestCluster {
  const raw = process.env[CLUSTER_ENV];
  if (!raw) throw new Error('test cluster not set up: run the tests through jest (npm test)');
  return JSON.parse(raw) as TestCluster;
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdmin<T>(
  adminUrl: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database per test file, copied from the migrated template: isolated and fast. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const cluster = testCluster();
  const name = `kehu_t_${randomBytes(6).toString('hex')}`;
  await withAdmin(cluster.adminUrl, async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${cluster.templateDatabase}`);
        return;
      } catch (error) {
        // Two files copying the template at the same instant can collide; try again shortly.
        if (attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  });
  return {
    url: databaseUrl(cluster.adminUrl, name),
    drop: () =>
      withAdmin(cluster.adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ).then(() => undefined),
  };
}
