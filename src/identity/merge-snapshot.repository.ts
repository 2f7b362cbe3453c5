import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';

/** A table holding rows per customer, with its primary key columns (without tenant_id). */
interface CustomerTable {
  name: string;
  key: string[];
}

/** What a merge did to one table's rows of the sources: re-pointed to the survivor, or deleted. */
export interface TableSnapshot {
  moved: Record<string, unknown>[];
  deleted: Record<string, unknown>[];
}

export interface MergeSnapshot {
  /** The source customer rows as they were (full rows, encrypted columns stay encrypted). */
  sources: Record<string, unknown>[];
  survivorBefore: Record<string, unknown>;
  survivorAfter?: Record<string, unknown>;
  /** Older tombstones re-pointed from a source to the survivor. */
  tombstones: { id: string; merged_into: string }[];
  tables: Record<string, TableSnapshot>;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;
/** Rows a merge never touches (the event log, deliveries, privacy requests) or that record merges. */
const SKIP: ReadonlySet<string> = new Set([
  'events',
  'webhook_deliveries',
  'privacy_requests',
  'customer_merges',
  'audit_log',
]);
/** Customer columns an undo never writes back: identity, bookkeeping and loyalty's balance (recomputed from the ledger). */
const CUSTOMER_FIXED: ReadonlySet<string> = new Set([
  'tenant_id',
  'id',
  'version',
  'created_at',
  'updated_at',
  'points_balance',
]);

const quote = (name: string): string => `"${name}"`;

/**
 * Snapshots and restores what a merge moved, generically over every table with a
 * `customer_id` column (as the privacy export does), so a feature's rows come back on undo
 * without the feature knowing about undo. Table and column names come from the catalog and
 * are checked against a strict identifier pattern before they reach SQL.
 */
@Injectable()
export class MergeSnapshotRepository {
  private tables?: Promise<CustomerTable[]>;
  private customerColumns?: Promise<string[]>;

  async capture(tx: Tx, survivorId: string, sourceIds: string[]): Promise<MergeSnapshot> {
    const sources = await tx.query<{ row: Record<string, unknown> }>(
      `SELECT to_jsonb(c) AS row FROM customers c WHERE c.tenant_id = $1 AND c.id = ANY($2::uuid[])`,
      [tx.tenant, sourceIds],
    );
    const survivor = await tx.one<{ row: Record<string, unknown> }>(
      `SELECT to_jsonb(c) AS row FROM customers c WHERE c.tenant_id = $1 AND c.id = $2`,
      [tx.tenant, survivorId],
    );
    const tombstones = await tx.query<{ id: string; merged_into: string }>(
      `SELECT id, merged_into FROM customers WHERE tenant_id = $1 AND merged_into = ANY($2::uuid[]) AND NOT id = ANY($2::uuid[])`,
      [tx.tenant, sourceIds],
    );
    const tables: Record<string, TableSnapshot> = {};
    for (const table of await this.customerTables(tx)) {
      const rows = await tx.query<{ row: Record<string, unknown> }>(
        `SELECT to_jsonb(t) AS row FROM ${quote(table.name)} t WHERE t.tenant_id = $1 AND t.customer_id = ANY($2::uuid[])`,
        [tx.tenant, sourceIds],
      );
      if (rows.length) tables[table.name] = { moved: rows.map((r) => r.row), deleted: [] };
    }
    return {
      sources: sources.map((s) => s.row),
      survivorBefore: survivor!.row,
      tombstones,
      tables,
    };
  }

  /** After the merge: keeps the rows that moved to the survivor or were deleted; drops untouched ones. */
  async classify(tx: Tx, survivorId: string, snapshot: MergeSnapshot): Promise<MergeSnapshot> {
    const byName = new Map((await this.customerTables(tx)).map((t) => [t.name, t]));
    const tables: Record<string, TableSnapshot> = {};
    for (const [name, { moved: rows }] of Object.entries(snapshot.tables)) {
      const table = byName.get(name)!;
      const found = await tx.query<{ row: Record<string, unknown>; now: string | null }>(
        `SELECT s.row, x.customer_id::text AS now
           FROM jsonb_array_elements($2::jsonb) AS s(row)
           CROSS JOIN LATERAL jsonb_populate_record(NULL::${quote(name)}, s.row) AS r
           LEFT JOIN ${quote(name)} x ON x.tenant_id = $1 AND ${table.key.map((k) => `x.${quote(k)} = r.${quote(k)}`).join(' AND ')}`,
        [tx.tenant, JSON.stringify(rows)],
      );
      const entry: TableSnapshot = {
        moved: found.filter((f) => f.now === survivorId).map((f) => f.row),
        deleted: found.filter((f) => f.now === null).map((f) => f.row),
      };
      if (entry.moved.length || entry.deleted.length) tables[name] = entry;
    }
    const after = await tx.one<{ row: Record<string, unknown> }>(
      `SELECT to_jsonb(c) AS row FROM customers c WHERE c.tenant_id = $1 AND c.id = $2`,
      [tx.tenant, survivorId],
    );
    return { ...snapshot, tables, survivorAfter: after!.row };
  }

  /** Puts every snapshot row back: moved rows still on the survivor return to their source; deleted rows are re-inserted. */
  async restoreRows(tx: Tx, survivorId: string, snapshot: MergeSnapshot): Promise<void> {
    const byName = new Map((await this.customerTables(tx)).map((t) => [t.name, t]));
    for (const [name, entry] of Object.entries(snapshot.tables)) {
      const table = byName.get(name);
      if (!table) continue; // a table dropped since the merge
      if (entry.moved.length) {
        await tx.query(
          `UPDATE ${quote(name)} x SET customer_id = r.customer_id
             FROM jsonb_array_elements($2::jsonb) AS s(row)
             CROSS JOIN LATERAL jsonb_populate_record(NULL::${quote(name)}, s.row) AS r
            WHERE x.tenant_id = $1 AND x.customer_id = $3 AND ${table.key.map((k) => `x.${quote(k)} = r.${quote(k)}`).join(' AND ')}`,
          [tx.tenant, JSON.stringify(entry.moved), survivorId],
        );
      }
      if (entry.deleted.length) {
        await tx.query(
          `INSERT INTO ${quote(name)}
           SELECT r.* FROM jsonb_array_elements($2::jsonb) AS s(row)
            CROSS JOIN LATERAL jsonb_populate_record(NULL::${quote(name)}, s.row) AS r
            WHERE r.tenant_id = $1
           ON CONFLICT DO NOTHING`,
          [tx.tenant, JSON.stringify(entry.deleted)],
        );
      }
    }
  }

  /** Source records back as they were (active again), older tombstones re-pointed to them. */
  async restoreSources(tx: Tx, snapshot: MergeSnapshot, now: Date): Promise<void> {
    const columns = (await this.customerColumnNames(tx)).filter((c) => !CUSTOMER_FIXED.has(c));
    await tx.query(
      `UPDATE customers c SET ${columns.map((col) => `${quote(col)} = r.${quote(col)}`).join(', ')}, version = c.version + 1, updated_at = $3
         FROM jsonb_array_elements($2::jsonb) AS s(row)
         CROSS JOIN LATERAL jsonb_populate_record(NULL::customers, s.row) AS r
        WHERE c.tenant_id = $1 AND c.id = r.id`,
      [tx.tenant, JSON.stringify(snapshot.sources), now],
    );
    for (const tombstone of snapshot.tombstones) {
      await tx.query(
        `UPDATE customers SET merged_into = $3 WHERE tenant_id = $1 AND id = $2 AND status = 'merged'`,
        [tx.tenant, tombstone.id, tombstone.merged_into],
      );
    }
  }

  /**
   * Survivor columns the merge changed go back to their pre-merge value unless they changed
   * again after the merge (then the later change stays). Returns the columns restored.
   */
  async restoreSurvivorFields(
    tx: Tx,
    survivorId: string,
    snapshot: MergeSnapshot,
    now: Date,
  ): Promise<string[]> {
    const current = (await tx.one<{ row: Record<string, unknown> }>(
      `SELECT to_jsonb(c) AS row FROM customers c WHERE c.tenant_id = $1 AND c.id = $2`,
      [tx.tenant, survivorId],
    ))!.row;
    const before = snapshot.survivorBefore;
    const after = snapshot.survivorAfter ?? {};
    const same = (a: unknown, b: unknown) =>
      JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    const columns = (await this.customerColumnNames(tx)).filter(
      (c) =>
        !CUSTOMER_FIXED.has(c) &&
        !['status', 'merged_into', 'archived_at'].includes(c) &&
        !same(before[c], after[c]) &&
        same(current[c], after[c]),
    );
    if (!columns.length) return [];
    await tx.query(
      `UPDATE customers c SET ${columns.map((col) => `${quote(col)} = r.${quote(col)}`).join(', ')}, version = c.version + 1, updated_at = $4
         FROM jsonb_populate_record(NULL::customers, $3::jsonb) AS r
        WHERE c.tenant_id = $1 AND c.id = $2`,
      [tx.tenant, survivorId, JSON.stringify(before), now],
    );
    return columns;
  }

  private customerTables(tx: Tx): Promise<CustomerTable[]> {
    this.tables ??= tx
      .query<{ table_name: string; key: string[] }>(
        `SELECT c.table_name,
                (SELECT array_agg(k.column_name::text ORDER BY k.ordinal_position)
                   FROM information_schema.table_constraints tc
                   JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_name = tc.table_name AND k.table_schema = tc.table_schema
                  WHERE tc.table_schema = 'public' AND tc.table_name = c.table_name AND tc.constraint_type = 'PRIMARY KEY') AS key
           FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
          WHERE c.table_schema = 'public' AND c.column_name = 'customer_id' AND t.table_type = 'BASE TABLE'
          ORDER BY c.table_name`,
      )
      .then((rows) =>
        rows
          .filter(
            (r) =>
              IDENT.test(r.table_name) &&
              !SKIP.has(r.table_name) &&
              r.key?.length &&
              r.key.every((k) => IDENT.test(k)),
          )
          .map((r) => ({ name: r.table_name, key: r.key.filter((k) => k !== 'tenant_id') })),
      );
    this.tables.catch(() => (this.tables = undefined));
    return this.tables;
  }

  private customerColumnNames(tx: Tx): Promise<string[]> {
    this.customerColumns ??= tx
      .query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'customers' ORDER BY ordinal_position`,
      )
      .then((rows) => rows.map((r) => r.column_name).filter((c) => IDENT.test(c)));
    this.customerColumns.catch(() => (this.customerColumns = undefined));
    return this.customerColumns;
  }
}
