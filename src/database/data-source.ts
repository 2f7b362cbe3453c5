import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';

export interface DataSourceOptions {
  url: string;
  poolMax: number;
  statementTimeoutMs: number;
  applicationName?: string;
}

/**
 * One TypeORM DataSource per process. Its pg pool is also the pool for hand-written SQL, so
 * the connection budget is a single number (KEHU_DB_POOL_MAX).
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'schema_migrations',
    migrations: MIGRATIONS,
    entities: [join(__dirname, '..', '**', '*.entity.js')],
    extra: {
      max: options.poolMax,
      application_name: options.applicationName ?? 'kehu',
      statement_timeout: options.statementTimeoutMs || undefined,
      idleTimeoutMillis: 30_000,
    },
    logging: false,
  });
}
