import { createHash } from 'node:crypto';
import type { PoolClient, QueryResultRow } from 'pg';
import { arrayLiteral } from './write-batch';

const STATEMENT_NAMES = new Map<string, string>();

/**
 * A transaction handle: repositories take one of these so the service that opened the
 * transaction decides what commits together (STYLE rule 8).
 */
export class Tx {
  constructor(
    readonly client: PoolClient,
    /** The tenant this transaction is scoped to; undefined for system transactions. */
    readonly tenantId: string | undefined,
    /** Rows of statements sent with BEGIN (Database.withTenant's `prefetch`), by SQL text. */
    private readonly prefetchedRows: Map<string, QueryResultRow[]> = new Map(),
  ) {}

  /** The rows of `sql` if it was sent with BEGIN (once: a second call runs it again). */
  prefetched<T extends QueryResultRow = QueryResultRow>(sql: string): T[] | undefined {
    const rows = this.prefetchedRows.get(sql);
    this.prefetchedRows.delete(sql);
    return rows as T[] | undefined;
  }

  async query<T extends QueryResultRow = QueryResultRow>(
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    const result = await this.client.query<T>(sql, params);
    return result.rows;
  }

  /**
   * Like query, as a named statement: PostgreSQL parses it once per connection and may reuse
   * its plan. For the few long, fixed texts of a hot path (not for SQL built per call). Array
   * parameters are written by arrayLiteral (a posting's look-ups, key check and lock each send
   * arrays of hundreds of ids).
   */
  async prepared<T extends QueryResultRow = QueryResultRow>(
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    let name = STATEMENT_NAMES.get(sql);
    if (!name) {
      name = `k_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      STATEMENT_NAMES.set(sql, name);
    }
    const values = params.map((p) => (Array.isArray(p) ? arrayLiteral(p) : p));
    const result = await this.client.query<T>({ name, text: sql, values });
    return result.rows;
  }

  async one<T extends QueryResultRow = QueryResultRow>(
    sql: string,
    params: unknown[] = [],
  ): Promise<T | undefined> {
    const rows = await this.query<T>(sql, params);
    return rows[0];
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    const result = await this.client.query(sql, params);
    return result.rowCount ?? 0;
  }

  /** Tenant id or a loud failure: tenant-owned writes must never run in a system transaction. */
  get tenant(): string {
    if (!this.tenantId) throw new Error('tenant-scoped query in a system transaction');
    return this.tenantId;
  }
}
