import { Injectable } from '@nestjs/common';
import { PiiCrypto } from '../common/crypto/pii-crypto.service';
import type { Tx } from '../database/tx';

const IDENT = /^[a-z_][a-z0-9_]*$/;
const ROW_CAP = 10_000;

/** Tables this module reads or scrubs itself (or through ConsentService), never generically. */
const OWN_TABLES = new Set([
  'customers',
  'customer_identities',
  'consent_events',
  'consent_state',
  'privacy_requests',
  'privacy_restrictions',
]);

/** Rows that hang off a customer's row in another table rather than carrying customer_id. */
const CHILD_TABLES: Record<string, { table: string; key: string }[]> = {
  transactions: [{ table: 'transaction_items', key: 'transaction_id' }],
  feedback: [
    { table: 'feedback_notes', key: 'feedback_id' },
    { table: 'feedback_transitions', key: 'feedback_id' },
  ],
};

/**
 * What erasure does to other modules' rows about the customer, where the owning module has not
 * registered its own erase handler (CustomerExtensions.registerEraseHandler). Each step is
 * idempotent, so running it after a module's own handler is harmless.
 *  - `scrub`: overwrite free-text columns (the row stays, linked to the PII-free tombstone).
 *  - `detach`: customer_id set NULL (transactions stay for accounting, anonymous).
 *  - `delete`: derived per-customer caches and memberships.
 * Tables not listed: detached when customer_id is nullable, otherwise kept (tombstone link).
 */
const ERASURE_POLICY: Record<
  string,
  { kind: 'scrub'; text: Record<string, string | null> } | { kind: 'detach' | 'delete' | 'keep' }
> = {
  transactions: { kind: 'detach' },
  survey_responses: { kind: 'detach' },
  feedback: { kind: 'scrub', text: { subject: '[erased]', body: '[erased]', resolution: null } },
  customer_interactions: { kind: 'scrub', text: { summary: '[erased]', outcome: null } },
  customer_follow_ups: { kind: 'scrub', text: { reason: '[erased]', outcome: null } },
  customer_stats: { kind: 'delete' },
  customer_category_stats: { kind: 'delete' },
  customer_store_stats: { kind: 'delete' },
  customer_monthly_spend: { kind: 'delete' },
  customer_rfm: { kind: 'delete' },
  segment_members: { kind: 'delete' },
  points_ledger: { kind: 'keep' },
  points_lots: { kind: 'keep' },
};

const CHILD_SCRUB: Record<string, Record<string, string | null>> = {
  feedback_notes: { body: '[erased]' },
  feedback_transitions: { note: null },
};

/** Customer columns an erasure keeps: ids, lifecycle, store and loyalty accounting. Everything else goes. */
const CUSTOMER_KEEP = new Set([
  'tenant_id',
  'id',
  'status',
  'merged_into',
  'store_id',
  'preferred_store_id',
  'tier_code',
  'tier_since',
  'points_balance',
  'version',
  'created_at',
  'updated_at',
  'archived_at',
]);

interface ColumnInfo {
  table_name: string;
  column_name: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
}

export interface RelatedRows {
  [table: string]: Record<string, unknown>[];
}

/**
 * Reads and scrubs personal data across modules for privacy requests. Where a module exposes
 * nothing for this, its tables are reached here — and only here — found by their `customer_id`
 * column in the catalogue, so a module that lands later is covered without an edit. Table and
 * column names come from the catalogue (checked against IDENT), values are always parameters.
 */
@Injectable()
export class PersonalDataRepository {
  constructor(private readonly crypto: PiiCrypto) {}

  async profile(tx: Tx, customerId: string): Promise<Record<string, unknown> | undefined> {
    const row = await tx.one<{ row: Record<string, unknown> }>(
      `SELECT to_jsonb(c) - 'tenant_id' AS row FROM customers c WHERE c.tenant_id = $1 AND c.id = $2`,
      [tx.tenant, customerId],
    );
    return row ? this.reveal(row.row) : undefined;
  }

  async identities(tx: Tx, customerId: string): Promise<Record<string, unknown>[]> {
    const rows = await tx.query<{ row: Record<string, unknown> }>(
      `SELECT to_jsonb(i) - 'tenant_id' AS row FROM customer_identities i WHERE i.tenant_id = $1 AND i.customer_id = $2 ORDER BY i.created_at`,
      [tx.tenant, customerId],
    );
    return rows.map((r) => this.reveal(r.row));
  }

  async privacyRequests(tx: Tx, customerId: string): Promise<Record<string, unknown>[]> {
    const rows = await tx.query<{ row: Record<string, unknown> }>(
      `SELECT to_jsonb(p) - 'tenant_id' - 'result_enc' - 'patch_enc' AS row FROM privacy_requests p
        WHERE p.tenant_id = $1 AND p.customer_id = $2 ORDER BY p.created_at`,
      [tx.tenant, customerId],
    );
    return rows.map((r) => r.row);
  }

  /** Every other table's rows about the customer (and their child rows), decrypted. */
  async related(tx: Tx, customerId: string): Promise<{ rows: RelatedRows; truncated: string[] }> {
    const rows: RelatedRows = {};
    const truncated: string[] = [];
    for (const column of await this.customerIdColumns(tx)) {
      const table = column.table_name;
      const found = await tx.query<{ row: Record<string, unknown> }>(
        `SELECT to_jsonb(t) - 'tenant_id' AS row FROM ${table} t WHERE t.tenant_id = $1 AND t.customer_id = $2 LIMIT ${ROW_CAP + 1}`,
        [tx.tenant, customerId],
      );
      if (found.length > ROW_CAP) truncated.push(table);
      rows[table] = found.slice(0, ROW_CAP).map((r) => this.reveal(r.row));
      for (const child of CHILD_TABLES[table] ?? []) {
        if (!(await this.tableExists(tx, child.table))) continue;
        const children = await tx.query<{ row: Record<string, unknown> }>(
          `SELECT to_jsonb(x) - 'tenant_id' AS row FROM ${child.table} x
            WHERE x.tenant_id = $1 AND x.${child.key} IN (SELECT t.id FROM ${table} t WHERE t.tenant_id = $1 AND t.customer_id = $2)
            LIMIT ${ROW_CAP}`,
          [tx.tenant, customerId],
        );
        rows[child.table] = children.map((r) => this.reveal(r.row));
      }
    }
    return { rows, truncated };
  }

  /**
   * Tombstone: every customer column not in CUSTOMER_KEEP is nulled, reset to its default, or
   * (member_no, which is unique and NOT NULL) replaced by a value derived from the id alone.
   */
  async eraseProfile(
    tx: Tx,
    customerId: string,
    now: Date,
  ): Promise<{ cleared: string[]; kept: string[] }> {
    const columns = await this.columnsOf(tx, 'customers');
    const sets: string[] = [];
    const cleared: string[] = [];
    const kept: string[] = [];
    for (const c of columns) {
      if (CUSTOMER_KEEP.has(c.column_name)) {
        kept.push(c.column_name);
        continue;
      }
      if (c.column_name === 'member_no')
        sets.push(`member_no = 'ERASED-' || replace(id::text, '-', '')`);
      else if (c.is_nullable === 'YES') sets.push(`${c.column_name} = NULL`);
      else if (c.column_default !== null) sets.push(`${c.column_name} = DEFAULT`);
      else {
        kept.push(c.column_name);
        continue;
      }
      cleared.push(c.column_name);
    }
    await tx.query(
      `UPDATE customers SET ${sets.join(', ')}, status = 'erased', version = version + 1, updated_at = $3
        WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, customerId, now],
    );
    return { cleared, kept };
  }

  async deleteIdentities(tx: Tx, customerId: string): Promise<number> {
    return tx.count(`DELETE FROM customer_identities WHERE tenant_id = $1 AND customer_id = $2`, [
      tx.tenant,
      customerId,
    ]);
  }

  /** Export bundles and correction patches of earlier requests are personal data too. */
  async scrubPrivacyRequests(tx: Tx, customerId: string): Promise<void> {
    await tx.query(
      `UPDATE privacy_requests SET result_enc = NULL, patch_enc = NULL, note = NULL WHERE tenant_id = $1 AND customer_id = $2`,
      [tx.tenant, customerId],
    );
  }

  /** Applies ERASURE_POLICY to every other table about the customer; returns what was done per table. */
  async eraseRelated(tx: Tx, customerId: string): Promise<Record<string, string>> {
    const done: Record<string, string> = {};
    for (const column of await this.customerIdColumns(tx)) {
      const table = column.table_name;
      const policy = ERASURE_POLICY[table] ?? {
        kind: column.is_nullable === 'YES' ? 'detach' : 'keep',
      };
      for (const child of CHILD_TABLES[table] ?? []) {
        const scrub = CHILD_SCRUB[child.table];
        if (!scrub || !(await this.tableExists(tx, child.table))) continue;
        const assignments = await this.assignments(tx, child.table, scrub, 3);
        if (!assignments) continue;
        await tx.query(
          `UPDATE ${child.table} x SET ${assignments.sql}
            WHERE x.tenant_id = $1 AND x.${child.key} IN (SELECT t.id FROM ${table} t WHERE t.tenant_id = $1 AND t.customer_id = $2)`,
          [tx.tenant, customerId, ...assignments.params],
        );
        done[child.table] = 'scrubbed';
      }
      if (policy.kind === 'keep') {
        done[table] = 'kept (linked to the tombstone)';
      } else if (policy.kind === 'delete') {
        await tx.query(`DELETE FROM ${table} WHERE tenant_id = $1 AND customer_id = $2`, [
          tx.tenant,
          customerId,
        ]);
        done[table] = 'deleted';
      } else if (policy.kind === 'detach') {
        await tx.query(
          `UPDATE ${table} SET customer_id = NULL WHERE tenant_id = $1 AND customer_id = $2`,
          [tx.tenant, customerId],
        );
        done[table] = 'detached (customer_id set null)';
      } else if (policy.kind === 'scrub') {
        const assignments = await this.assignments(tx, table, policy.text, 3);
        if (assignments) {
          await tx.query(
            `UPDATE ${table} SET ${assignments.sql} WHERE tenant_id = $1 AND customer_id = $2`,
            [tx.tenant, customerId, ...assignments.params],
          );
        }
        done[table] = 'free text scrubbed';
      }
    }
    return done;
  }

  /** Outbox payloads may carry personal data (names, phones in customer.created). */
  async scrubEvents(tx: Tx, customerId: string): Promise<void> {
    await tx.query(
      `UPDATE events SET payload = jsonb_build_object('customerId', customer_id, 'erased', true) WHERE tenant_id = $1 AND customer_id = $2`,
      [tx.tenant, customerId],
    );
  }

  /** `col = $n` for the columns of `values` that exist in `table` (a module may not have them all). */
  private async assignments(
    tx: Tx,
    table: string,
    values: Record<string, string | null>,
    offset: number,
  ): Promise<{ sql: string; params: unknown[] } | undefined> {
    const columns = new Set((await this.columnsOf(tx, table)).map((c) => c.column_name));
    const parts: string[] = [];
    const params: unknown[] = [];
    for (const [column, value] of Object.entries(values)) {
      if (!columns.has(column)) continue;
      params.push(value);
      parts.push(`${column} = $${offset + params.length - 1}`);
    }
    return parts.length ? { sql: parts.join(', '), params } : undefined;
  }

  private async customerIdColumns(tx: Tx): Promise<ColumnInfo[]> {
    const rows = await tx.query<ColumnInfo>(
      `SELECT c.table_name, c.column_name, c.is_nullable, c.column_default
         FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND c.column_name = 'customer_id' AND t.table_type = 'BASE TABLE'
        ORDER BY c.table_name`,
    );
    return rows.filter((r) => IDENT.test(r.table_name) && !OWN_TABLES.has(r.table_name));
  }

  private async columnsOf(tx: Tx, table: string): Promise<ColumnInfo[]> {
    const rows = await tx.query<ColumnInfo>(
      `SELECT table_name, column_name, is_nullable, column_default FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
      [table],
    );
    return rows.filter((r) => IDENT.test(r.column_name));
  }

  private async tableExists(tx: Tx, table: string): Promise<boolean> {
    const row = await tx.one<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [
      `public.${table}`,
    ]);
    return row?.found === true;
  }

  /** Decrypts `*_enc` values into their plain name and drops blind indexes (useless to the person). */
  private reveal(row: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) {
      if (key.endsWith('_bidx')) continue;
      if (key.endsWith('_enc')) {
        out[key.slice(0, -4)] = typeof value === 'string' ? this.crypto.decrypt(value) : value;
      } else {
        out[key] = value;
      }
    }
    return out;
  }
}
