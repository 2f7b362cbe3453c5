import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
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
export class Database {
  constructor(readonly dataSource: DataSource) {}

  get pool(): Pool {
    return (this.dataSource.driver as PostgresDriver).master as Pool;
  }

  async withTenant<T>(tenantId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
    // The id is inlined so BEGIN, SET ROLE and the setting go in one round trip; it is a
    // UUID from a verified token, and checked here, so it cannot carry SQL.
    if (!isUuid(tenantId)) throw new Error('tenant id must be a UUID');
    return this.run(
      `BEGIN; SET LOCAL ROLE ${APP_ROLE}; SELECT set_config('${TENANT_SETTING}', '${tenantId}', true)`,
      tenantId,
      work,
    );
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
  ): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    let broken = false;
    try {
      await client.query(begin);
      const result = await work(new Tx(client, tenantId));
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
