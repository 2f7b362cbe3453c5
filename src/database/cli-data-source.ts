import { loadConfig } from '../config/app-config';
import { createDataSource } from './data-source';

/** Used by the TypeORM CLI (npm run migration:*); reads the same configuration as the app. */
const config = loadConfig();
export default createDataSource({
  url: config.databaseUrl ?? `postgres://postgres:postgres@127.0.0.1:${config.embeddedPgPort}/kehu`,
  poolMax: 2,
  statementTimeoutMs: 0,
  applicationName: 'kehu-migrations',
});
