import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { createKehuApp } from '../../src/app.factory';
import { AuthService } from '../../src/auth/auth.service';
import { ALL_SCOPES, Scope, StaffRole } from '../../src/auth/principal';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { createDataSource } from '../../src/database/data-source';
import { Database } from '../../src/database/database.service';
import { createTestDatabase } from './test-database';

export const TEST_SECRETS = {
  KEHU_JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
  KEHU_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  KEHU_BLIND_INDEX_KEY: Buffer.alloc(32, 2).toString('base64'),
};

export interface TenantClient {
  tenantId: string;
  slug: string;
  clientId: string;
  clientSecret: string;
  token: string;
  /** Authorization header value. */
  auth: string;
}

/**
 * The booted application on its own database, driven through HTTP like a real caller.
 * One per test file; `close()` stops it and drops the database.
 */
export class TestApp {
  private tenantCounter = 0;

  private constructor(
    readonly app: NestFastifyApplication,
    readonly config: AppConfig,
    readonly dataSource: DataSource,
    readonly databaseUrl: string,
    private readonly dropDatabase: () => Promise<void>,
  ) {}

  /**
   * `options.background` starts the background loops (event sequencer, webhook dispatcher,
   * scheduler); off by default so tests stay deterministic and drive those services directly.
   */
  static async start(
    env: Record<string, string> = {},
    options: { background?: boolean } = {},
  ): Promise<TestApp> {
    const database = await createTestDatabase();
    const config = loadConfig({
      ...TEST_SECRETS,
      DATABASE_URL: database.url,
      KEHU_LOG_LEVEL: 'silent',
      KEHU_DB_POOL_MAX: '20',
      KEHU_RUN_WORKER: options.background ? 'true' : 'false',
      ...env,
    });
    const dataSource = createDataSource({
      url: database.url,
      poolMax: config.dbPoolMax,
      statementTimeoutMs: config.dbStatementTimeoutMs,
    });
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    const app = await createKehuApp(config, dataSource);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return new TestApp(app, config, dataSource, database.url, database.drop);
  }

  get http(): TestAgent {
    return request(this.app.getHttpServer());
  }

  get database(): Database {
    return this.app.get(Database);
  }

  /** SQL as the owner (bypasses RLS): for asserting what really is in the tables. */
  async sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    return this.database.systemQuery(text, params) as Promise<T[]>;
  }

  async count(table: string, where = 'true', params: unknown[] = []): Promise<number> {
    const rows = await this.sql<{ n: string }>(
      `SELECT count(*) AS n FROM ${table} WHERE ${where}`,
      params,
    );
    return Number(rows[0].n);
  }

  /** A new tenant with a client holding `scopes`, and a token obtained through the token endpoint. */
  async tenant(
    scopes: readonly Scope[] = ALL_SCOPES,
    options: { slug?: string; currency?: string } = {},
  ): Promise<TenantClient> {
    const auth = this.app.get(AuthService);
    const slug =
      options.slug ?? `t${++this.tenantCounter}-${Math.random().toString(36).slice(2, 8)}`;
    const tenant = await auth.createTenant({ slug, currency: options.currency });
    const client = await auth.createClient({ tenantSlug: slug, name: 'test', scopes: [...scopes] });
    const token = await this.token(client.clientId, client.clientSecret);
    return {
      tenantId: tenant.id,
      slug,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      token,
      auth: `Bearer ${token}`,
    };
  }

  /** Another client in an existing tenant, with other scopes. */
  async client(tenant: TenantClient, scopes: readonly Scope[]): Promise<TenantClient> {
    const client = await this.app
      .get(AuthService)
      .createClient({ tenantSlug: tenant.slug, name: 'test', scopes: [...scopes] });
    const token = await this.token(client.clientId, client.clientSecret);
    return {
      ...tenant,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      token,
      auth: `Bearer ${token}`,
    };
  }

  async staff(
    tenant: TenantClient,
    role: StaffRole,
    options: { storeId?: string; email?: string } = {},
  ): Promise<TenantClient & { email: string; password: string }> {
    const email = options.email ?? `${role}-${Math.random().toString(36).slice(2, 8)}@example.com`;
    const password = 'correct horse battery staple';
    await this.app.get(AuthService).createStaff({
      tenantSlug: tenant.slug,
      email,
      password,
      name: role,
      role,
      storeId: options.storeId,
    });
    const response = await this.http
      .post('/v1/auth/login')
      .send({ tenant: tenant.slug, email, password })
      .expect(200);
    const token = response.body.access_token as string;
    return { ...tenant, token, auth: `Bearer ${token}`, email, password };
  }

  async token(clientId: string, clientSecret: string): Promise<string> {
    const response = await this.http
      .post('/v1/oauth/token')
      .send({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret })
      .expect(200);
    return response.body.access_token as string;
  }

  graphql(auth: string | undefined, query: string, variables: Record<string, unknown> = {}) {
    const call = this.http.post('/graphql').set('content-type', 'application/json');
    if (auth) call.set('authorization', auth);
    return call.send({ query, variables });
  }

  async close(): Promise<void> {
    await this.app.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.dropDatabase();
  }
}
