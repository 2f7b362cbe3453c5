import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Raised when the environment cannot be turned into a valid configuration; names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
  }
}

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** Typed configuration. The only place that reads process.env (STYLE rule 6). */
export class AppConfig {
  port: number;
  host: string;
  /** Unset → an embedded PostgreSQL is started under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPgPort: number;
  dbPoolMax: number;
  dbStatementTimeoutMs: number;
  runMigrations: boolean;
  jwtSecret: string;
  jwtTtlSeconds: number;
  /** Oldest first; the last key encrypts new values, all keys decrypt. */
  encryptionKeys: EncryptionKey[];
  blindIndexKey: Buffer;
  bootstrapClientId: string | undefined;
  bootstrapClientSecret: string | undefined;
  defaultRegion: string;
  defaultCurrency: string;
  defaultTimeZone: string;
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  logLevel: string;
  graphqlIntrospection: boolean;
  graphqlMaxDepth: number;
  graphqlMaxComplexity: number;
  loginMaxFailures: number;
  loginLockoutMinutes: number;
  webhookAllowPrivate: boolean;
  /** Run the background loops (event sequencer, webhook dispatcher, scheduler) in this process. */
  runWorker: boolean;
  webhookTimeoutMs: number;
  /** Consecutive failed attempts after which a subscription is switched off (with an event). */
  webhookDisableAfterFailures: number;
  shutdownGraceMs: number;
  auditEnabled: boolean;
}

type Env = Record<string, string | undefined>;

function int(
  env: Env,
  name: string,
  fallback: number,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function str(env: Env, name: string, fallback: string, pattern?: RegExp): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (pattern && !pattern.test(raw)) throw new ConfigError(name, `has an invalid value "${raw}"`);
  return raw;
}

function parseEncryptionKeys(raw: string): EncryptionKey[] {
  return raw.split(',').map((part) => {
    const [id, b64] = part.split(':');
    const key = Buffer.from(b64 ?? '', 'base64');
    if (!id || !/^[A-Za-z0-9_-]{1,16}$/.test(id) || key.length !== 32) {
      throw new ConfigError(
        'KEHU_ENCRYPTION_KEYS',
        'must be a comma list of id:base64 entries, each key 32 bytes (AES-256)',
      );
    }
    return { id, key };
  });
}

interface PersistedSecrets {
  jwtSecret: string;
  encryptionKeys: string;
  blindIndexKey: string;
}

/**
 * A newcomer's `npm start` has no secrets configured; rather than refuse to start we generate
 * them once and keep them beside the embedded database, so tokens and encrypted data survive a
 * restart. Production sets the variables explicitly.
 */
function persistedSecrets(dataDir: string): PersistedSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as PersistedSecrets;
  mkdirSync(dataDir, { recursive: true });
  const secrets: PersistedSecrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    encryptionKeys: `k1:${randomBytes(32).toString('base64')}`,
    blindIndexKey: randomBytes(32).toString('base64'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const config = new AppConfig();
  config.port = int(env, 'PORT', 3000, 0, 65535);
  config.host = str(env, 'HOST', '0.0.0.0');
  config.databaseUrl = env.DATABASE_URL || undefined;
  if (config.databaseUrl && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }
  config.dataDir = resolve(str(env, 'KEHU_DATA_DIR', '.kehu'));
  config.embeddedPgPort = int(env, 'KEHU_EMBEDDED_PG_PORT', 54329, 1, 65535);
  config.dbPoolMax = int(env, 'KEHU_DB_POOL_MAX', 10, 1, 500);
  config.dbStatementTimeoutMs = int(env, 'KEHU_DB_STATEMENT_TIMEOUT_MS', 15000, 0);
  config.runMigrations = bool(env, 'KEHU_RUN_MIGRATIONS', true);
  config.jwtTtlSeconds = int(env, 'KEHU_JWT_TTL_SECONDS', 3600, 60, 86400);
  config.bootstrapClientId = env.KEHU_BOOTSTRAP_CLIENT_ID || undefined;
  config.bootstrapClientSecret = env.KEHU_BOOTSTRAP_CLIENT_SECRET || undefined;
  if (Boolean(config.bootstrapClientId) !== Boolean(config.bootstrapClientSecret)) {
    throw new ConfigError(
      'KEHU_BOOTSTRAP_CLIENT_SECRET',
      'and KEHU_BOOTSTRAP_CLIENT_ID must be set together',
    );
  }
  config.defaultRegion = str(env, 'KEHU_DEFAULT_REGION', 'CN', /^[A-Z]{2}$/);
  config.defaultCurrency = str(env, 'KEHU_DEFAULT_CURRENCY', 'CNY', /^[A-Z]{3}$/);
  config.defaultTimeZone = str(env, 'KEHU_DEFAULT_TIMEZONE', 'Asia/Shanghai');
  try {
    new Intl.DateTimeFormat('en', { timeZone: config.defaultTimeZone });
  } catch {
    throw new ConfigError(
      'KEHU_DEFAULT_TIMEZONE',
      `is not an IANA time zone: "${config.defaultTimeZone}"`,
    );
  }
  config.rateLimitPerMinute = int(env, 'KEHU_RATE_LIMIT_PER_MINUTE', 6000, 0);
  config.bodyLimitBytes = int(env, 'KEHU_BODY_LIMIT_BYTES', 1024 * 1024, 1024);
  config.logLevel = str(
    env,
    'KEHU_LOG_LEVEL',
    'info',
    /^(fatal|error|warn|info|debug|trace|silent)$/,
  );
  config.graphqlIntrospection = bool(env, 'KEHU_GRAPHQL_INTROSPECTION', true);
  config.graphqlMaxDepth = int(env, 'KEHU_GRAPHQL_MAX_DEPTH', 10, 1, 100);
  config.graphqlMaxComplexity = int(env, 'KEHU_GRAPHQL_MAX_COMPLEXITY', 1000, 1);
  config.loginMaxFailures = int(env, 'KEHU_LOGIN_MAX_FAILURES', 5, 1, 100);
  config.loginLockoutMinutes = int(env, 'KEHU_LOGIN_LOCKOUT_MINUTES', 15, 1, 1440);
  config.webhookAllowPrivate = bool(env, 'KEHU_WEBHOOK_ALLOW_PRIVATE', false);
  config.runWorker = bool(env, 'KEHU_RUN_WORKER', true);
  config.webhookTimeoutMs = int(env, 'KEHU_WEBHOOK_TIMEOUT_MS', 5000, 100, 60000);
  config.webhookDisableAfterFailures = int(
    env,
    'KEHU_WEBHOOK_DISABLE_AFTER_FAILURES',
    50,
    1,
    100000,
  );
  config.shutdownGraceMs = int(env, 'KEHU_SHUTDOWN_GRACE_MS', 10000, 0);
  config.auditEnabled = bool(env, 'KEHU_AUDIT_ENABLED', true);

  const needsPersisted =
    !env.KEHU_JWT_SECRET || !env.KEHU_ENCRYPTION_KEYS || !env.KEHU_BLIND_INDEX_KEY;
  const persisted = needsPersisted ? persistedSecrets(config.dataDir) : undefined;
  config.jwtSecret = env.KEHU_JWT_SECRET || persisted!.jwtSecret;
  if (config.jwtSecret.length < 32)
    throw new ConfigError('KEHU_JWT_SECRET', 'must be at least 32 characters');
  config.encryptionKeys = parseEncryptionKeys(
    env.KEHU_ENCRYPTION_KEYS || persisted!.encryptionKeys,
  );
  config.blindIndexKey = Buffer.from(
    env.KEHU_BLIND_INDEX_KEY || persisted!.blindIndexKey,
    'base64',
  );
  if (config.blindIndexKey.length < 32) {
    throw new ConfigError('KEHU_BLIND_INDEX_KEY', 'must be at least 32 bytes, base64-encoded');
  }
  return config;
}
