import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';

const SECRETS = {
  KEHU_JWT_SECRET: 'x'.repeat(40),
  KEHU_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  KEHU_BLIND_INDEX_KEY: Buffer.alloc(32, 2).toString('base64'),
};

function errorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ ...SECRETS, ...env });
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults', () => {
    const config = loadConfig(SECRETS);
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      defaultCurrency: 'CNY',
      defaultRegion: 'CN',
      defaultTimeZone: 'Asia/Shanghai',
      jwtTtlSeconds: 3600,
      rateLimitPerMinute: 6000,
      bodyLimitBytes: 1048576,
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT', /integer/],
    [{ PORT: '70000' }, 'PORT', /between/],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', /postgres/],
    [{ KEHU_DEFAULT_TIMEZONE: 'Mars/Olympus' }, 'KEHU_DEFAULT_TIMEZONE', /IANA/],
    [{ KEHU_DEFAULT_CURRENCY: 'yuan' }, 'KEHU_DEFAULT_CURRENCY', /invalid/],
    [{ KEHU_GRAPHQL_INTROSPECTION: 'maybe' }, 'KEHU_GRAPHQL_INTROSPECTION', /true or false/],
    [{ KEHU_JWT_SECRET: 'short' }, 'KEHU_JWT_SECRET', /32/],
    [{ KEHU_ENCRYPTION_KEYS: 'k1:dG9vc2hvcnQ=' }, 'KEHU_ENCRYPTION_KEYS', /32 bytes/],
    [{ KEHU_BOOTSTRAP_CLIENT_ID: 'only-id' }, 'KEHU_BOOTSTRAP_CLIENT_SECRET', /together/],
  ])('refuses %j naming the variable', (env, variable, message) => {
    const error = errorFor(env as Record<string, string>);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).toMatch(message);
  });

  it('uses the newest of several encryption keys for writing', () => {
    const keys = `old:${Buffer.alloc(32, 3).toString('base64')},new:${Buffer.alloc(32, 4).toString('base64')}`;
    const config = loadConfig({ ...SECRETS, KEHU_ENCRYPTION_KEYS: keys });
    expect(config.encryptionKeys.map((k) => k.id)).toEqual(['old', 'new']);
  });

  it('generates secrets once into the data dir when none are configured, and reuses them', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kehu-config-'));
    const first = loadConfig({ KEHU_DATA_DIR: dataDir });
    const second = loadConfig({ KEHU_DATA_DIR: dataDir });
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(second.encryptionKeys[0].key.equals(first.encryptionKeys[0].key)).toBe(true);
    expect(JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).jwtSecret).toBe(
      first.jwtSecret,
    );
  });
});
