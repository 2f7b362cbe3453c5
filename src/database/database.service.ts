import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Pool, PoolClient, PoolConfig, QueryResult, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { isUuid } from '../common/uuid7';
import { APP_ROLE, TENANT_SETTING } from './rls';
import { Tx } from './tx';

/**
 * The one way code reaches PostgreSQL. Request work runs in `withTenant`, which switches to the
 * RLS-bound role and sets the tenant for the transaction; `withSystem` is for migrations,
 * authentication and cross-tenant jobs.
 */
@Injectable()
export class Database implements OnApplicationShutdown {
  private readerPool?: Pool;
  /** The tenant each reader connection's session is bound to. */
  private readonly readerTenant = new WeakMap<PoolClient, string>();

  constructor(readonly dataSource: DataSource) {}

  get pool(): Pool {
    return (this.dataSource.driver as PostgresDriver).master as Pool;
  }

  /**
   * `prefetch`: parameterless SELECTs (constants of a repository, reading the tenant from the
   * setting) sent in the same round trip as BEGIN; the repository takes their rows with
   * `tx.prefetched(sql)` instead of a round trip of its own. `setLocal`: planner settings for
   * this transaction only (numbers or keywords; e.g. `random_page_cost`, `plan_cache_mode`),
   * in the same round trip.
   */
  async withTenant<T>(
    tenantId: string,
    work: (tx: Tx) => Promise<T>,
    options: { prefetch?: string[]; setLocal?: Record<string, number | string> } = {},
  ): Promise<T> {
    // The id is inlined so BEGIN, SET ROLE and the setting go in one round trip; it is a
    // UUID from a verified token, and checked here, so it cannot carry SQL.
    if (!isUuid(tenantId)) throw new Error('tenant id must be a UUID');
    return this.run(
      [
        `BEGIN; SET LOCAL ROLE ${APP_ROLE}; SELECT set_config('${TENANT_SETTING}', '${tenantId}', true)`,
        ...Object.entries(options.setLocal ?? {}).map(([name, value]) => {
          const ok = typeof value === 'number' ? Number.isFinite(value) : /^[a-z_]+$/.test(value);
          if (!/^[a-z_]+$/.test(name) || !ok) throw new Error(`bad local setting ${name}`);
          return `SET LOCAL ${name} = ${value}`;
        }),
        ...(options.prefetch ?? []),
      ].join('; '),
      tenantId,
      work,
      options.prefetch,
    );
  }

  /**
   * Read-only work for one tenant in as few round trips as possible: the hot look-ups (POS
   * member look-up, GET of one record) run here. Connections come from a separate pool whose
   * sessions are permanently the RLS-bound role with `default_transaction_read_only`, and stay
   * bound to the tenant they last served, so a repeat tenant costs no extra statement and no
   * BEGIN/COMMIT: each statement is its own snapshot, so use it only where one statement (or
   * independent ones) answers the request. Writes fail here by construction.
   */
  async readTenant<T>(tenantId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    if (!isUuid(tenantId)) throw new Error('tenant id must be a UUID');
    const client = await this.readers().connect();
    let broken = false;
    try {
      if (this.readerTenant.get(client) !== tenantId) {
        this.readerTenant.delete(client);
        await client.query(
          `SET ROLE ${APP_ROLE}; SET default_transaction_read_only = on; SELECT set_config('${TENANT_SETTING}', '${tenantId}', false)`,
        );
        this.readerTenant.set(client, tenantId);
      }
      return await work(new Tx(client, tenantId));
    } catch (error) {
      // A statement error leaves an autocommit session as it was; a lost connection does not.
      broken = !(error instanceof Error && 'severity' in error);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const readers = this.readerPool;
    this.readerPool = undefined;
    await readers?.end();
  }

  /** Same server and settings as the main pool; never shared with system work. */
  private readers(): Pool {
    if (!this.readerPool) {
      const options = this.pool.options as PoolConfig;
      this.readerPool = new Pool({
        ...options,
        password: options.password, // pg-pool keeps it non-enumerable
        application_name: `${options.application_name ?? 'kehu'}-reader`,
        allowExitOnIdle: true,
      });
      this.readerPool.on('error', () => undefined); // an idle client's error is handled by pg dropping it
    }
    return this.readerPool;
  }

  async withSystem<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.run('BEGIN', undefined, work);
  }

  /** A single statement outside any tenant, e.g. a readiness probe or a token look-up. */
  async systemQuery<T extends QueryResultRow = QueryResultRow>(
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    const result = await this.pool.query<T>(sql, params);
    return result.rows;
  }

  private async run<T>(
    begin: string,
    tenantId: string | undefined,
    work: (tx: Tx) => Promise<T>,
    prefetch: string[] = [],
  ): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    let broken = false;
    try {
      const started = await client.query(begin);
      const results = Array.isArray(started) ? (started as QueryResult[]) : [started];
      const prefetched = new Map(
        prefetch.map((sql, i) => [sql, results[results.length - prefetch.length + i].rows]),
      );
      const result = await work(new Tx(client, tenantId, prefetched));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
