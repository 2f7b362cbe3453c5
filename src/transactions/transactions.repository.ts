import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';
import type { SqlPart } from '../database/write-batch';
import type { PreparedTransaction } from './transaction-validation';

export interface TransactionRow {
  id: string;
  source: string;
  external_id: string;
  type: 'sale' | 'return';
  customer_id: string | null;
  store_id: string | null;
  occurred_at: Date;
  currency: string;
  total_minor: string;
  item_count: string;
  original_id: string | null;
  points: string;
  request_hash: string;
  response: Record<string, unknown> | null;
  claimed_at: Date | null;
  created_at: Date;
}

export interface ItemRow {
  transaction_id: string;
  line_no: number;
  sku: string;
  name: string | null;
  category: string | null;
  quantity: string;
  unit_price_minor: string;
  amount_minor: string;
}

const COLUMNS = `id, source, external_id, type, customer_id, store_id, occurred_at, currency, total_minor::text, item_count::text,
  original_id, points::text, request_hash, response, claimed_at, created_at`;

const qty = (n: number) => n.toFixed(3);

/**
 * New receipts in key order (two batches never wait on each other in opposite orders); a key
 * already stored, or being stored by a concurrent request (which this waits for), is skipped.
 * Parameters $2–$13 (insertNewParams).
 */
const INSERT_NEW = `INSERT INTO transactions (tenant_id, id, source, external_id, type, customer_id, store_id, occurred_at, currency,
                                 total_minor, item_count, original_external_id, request_hash)
       SELECT $1, v.id, v.source, v.external_id, v.type, v.customer_id, v.store_id, v.occurred_at, v.currency, v.total_minor,
              v.item_count, v.original_external_id, v.request_hash
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::timestamptz[],
                                  $9::text[], $10::bigint[], $11::numeric[], $12::text[], $13::text[])
              WITH ORDINALITY AS v(id, source, external_id, type, customer_id, store_id, occurred_at, currency, total_minor,
                                   item_count, original_external_id, request_hash, ord)
       ORDER BY v.ord
       ON CONFLICT (tenant_id, source, external_id) DO NOTHING`;

/** Receipts in key order: two batches never wait on each other in opposite orders. */
function inKeyOrder<T extends { t: PreparedTransaction }>(rows: T[]): T[] {
  // Each key built once, not twice per comparison (~9,000 throwaway strings for 500 rows).
  const keyed = rows.map((row) => ({ key: `${row.t.source}\u0000${row.t.externalId}`, row }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : 1));
  return keyed.map((k) => k.row);
}

/** The columns both receipt inserts take first, id to item_count, as parallel arrays. */
function receiptColumns(
  sorted: { id: string; t: PreparedTransaction; customerId: string | null }[],
): unknown[] {
  return [
    sorted.map((r) => r.id),
    sorted.map((r) => r.t.source),
    sorted.map((r) => r.t.externalId),
    sorted.map((r) => r.t.type),
    sorted.map((r) => r.customerId),
    sorted.map((r) => r.t.storeId),
    sorted.map((r) => r.t.occurredAt),
    sorted.map((r) => r.t.currency),
    sorted.map((r) => r.t.totalMinor.toString()),
    sorted.map((r) => qty(r.t.itemCount)),
  ];
}

function insertNewParams(
  rows: { id: string; t: PreparedTransaction; customerId: string | null }[],
): unknown[] {
  const sorted = inKeyOrder(rows);
  return [
    ...receiptColumns(sorted),
    sorted.map((r) => r.t.originalExternalId),
    sorted.map((r) => r.t.hash),
  ];
}

/** Item rows from the arrays of itemParams, numbered from $`from`, as `v`. */
const INSERT_ITEMS = (from: number) =>
  `INSERT INTO transaction_items (tenant_id, transaction_id, line_no, sku, name, category, quantity, unit_price_minor, amount_minor)
       SELECT $1, v.* FROM unnest(${[
         'uuid',
         'int',
         'text',
         'text',
         'text',
         'numeric',
         'bigint',
         'bigint',
       ]
         .map((type, i) => `$${from + i}::${type}[]`)
         .join(
           ', ',
         )}) AS v(transaction_id, line_no, sku, name, category, quantity, unit_price_minor, amount_minor)`;

function itemParams(rows: { transactionId: string; t: PreparedTransaction }[]): unknown[] | null {
  // One pass into the eight columns: no per-line wrapper objects (1,500 of them a batch).
  const columns: unknown[][] = [[], [], [], [], [], [], [], []];
  const [ids, lineNos, skus, names, categories, quantities, unitPrices, amounts] = columns;
  for (const r of rows) {
    for (const line of r.t.lines) {
      ids.push(r.transactionId);
      lineNos.push(line.lineNo);
      skus.push(line.sku);
      names.push(line.name);
      categories.push(line.category);
      quantities.push(qty(line.quantity));
      unitPrices.push(line.unitPriceMinor.toString());
      amounts.push(line.amountMinor.toString());
    }
  }
  return ids.length ? columns : null;
}

/** A receipt as stored by a posting: every column final, written once. */
export interface NewTransaction {
  id: string;
  t: PreparedTransaction;
  customerId: string | null;
  originalId: string | null;
  points: number;
  response: Record<string, unknown>;
}

/**
 * Receipts with their final values and their items, as a WriteBatch part. No ON CONFLICT: the
 * caller has checked the keys; a concurrent request storing one of them in the meantime makes
 * this fail on transactions_source_external_key (after that request commits), and the whole
 * transaction is retried (the retry finds the key stored). Rows go in key order so two
 * batches never wait on each other's keys in opposite orders.
 */
const INSERT_FINAL = `INSERT INTO transactions (tenant_id, id, source, external_id, type, customer_id, store_id, occurred_at, currency,
                                 total_minor, item_count, original_id, original_external_id, points, request_hash, response)
       SELECT $1, v.id, v.source, v.external_id, v.type, v.customer_id, v.store_id, v.occurred_at, v.currency, v.total_minor,
              v.item_count, v.original_id, v.original_external_id, v.points, v.request_hash, v.response
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::timestamptz[],
                     $9::text[], $10::bigint[], $11::numeric[], $12::uuid[], $13::text[], $14::bigint[], $15::text[], $16::jsonb[])
              WITH ORDINALITY AS v(id, source, external_id, type, customer_id, store_id, occurred_at, currency, total_minor,
                                   item_count, original_id, original_external_id, points, request_hash, response, ord)
       ORDER BY v.ord`;

/** The unique key a concurrent copy of a receipt trips over (see INSERT_FINAL). */
export const RECEIPT_KEY_CONSTRAINT = 'transactions_source_external_key';

/** All SQL on transactions and their items; inserts are set-based (UNNEST) for any batch size. */
@Injectable()
export class TransactionsRepository {
  /**
   * Inserts the receipts that are new; a (source, externalId) already stored — or being stored
   * by a concurrent request, which this waits for — is skipped. Returns the ids inserted.
   * Rows go in key order so two batches never wait on each other in opposite orders.
   */
  async insertNew(
    tx: Tx,
    rows: { id: string; t: PreparedTransaction; customerId: string | null }[],
  ): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const inserted = await tx.prepared<{ id: string }>(`${INSERT_NEW} RETURNING id`, [
      tx.tenant,
      ...insertNewParams(rows),
    ]);
    return new Set(inserted.map((r) => r.id));
  }

  async insertItems(
    tx: Tx,
    rows: { transactionId: string; t: PreparedTransaction }[],
  ): Promise<void> {
    const params = itemParams(rows);
    if (!params) return;
    await tx.prepared(INSERT_ITEMS(2), [tx.tenant, ...params]);
  }

  /** insertPart's rows: one write of each receipt, after its points are known. */
  insertPart(rows: NewTransaction[]): SqlPart | undefined {
    if (!rows.length) return undefined;
    const sorted = inKeyOrder(rows);
    const items = itemParams(sorted.map((r) => ({ transactionId: r.id, t: r.t })));
    return {
      ctes: [
        { name: 'transactions_new', sql: INSERT_FINAL },
        ...(items ? [{ name: 'transactions_new_items', sql: INSERT_ITEMS(17) }] : []),
      ],
      params: [
        ...receiptColumns(sorted),
        sorted.map((r) => r.originalId),
        sorted.map((r) => r.t.originalExternalId),
        sorted.map((r) => r.points),
        sorted.map((r) => r.t.hash),
        sorted.map((r) => JSON.stringify(r.response)),
        ...(items ?? []),
      ],
    };
  }

  /**
   * The receipts stored under these keys (named statement: the same text for every batch).
   * One probe of the full unique key per key, whatever the statistics: a single sale runs this
   * with force_generic_plan, and a generic plan for `(source, external_id) IN (unnest ...)`
   * made while `transactions` is young is kept by the connection and walks the tenant's
   * receipts on the key prefix for every sale (bench `tx-single`: the connections that
   * posted first got it; cost grew with every receipt). LIMIT 1 (the key is unique) keeps the
   * subquery from being flattened into a join the planner could turn back into that scan.
   * Callers pass distinct keys.
   */
  async findByKeys(
    tx: Tx,
    keys: { source: string; externalId: string }[],
  ): Promise<TransactionRow[]> {
    if (!keys.length) return [];
    return tx.prepared<TransactionRow>(
      `SELECT t.* FROM unnest($2::text[], $3::text[]) AS k(source, external_id)
        CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM transactions
                             WHERE tenant_id = $1 AND source = k.source AND external_id = k.external_id
                             LIMIT 1) t`,
      [tx.tenant, keys.map((k) => k.source), keys.map((k) => k.externalId)],
    );
  }

  /** The sales being returned, locked (id order) so concurrent returns of one sale queue up. */
  async lockOriginals(
    tx: Tx,
    keys: { source: string; externalId: string }[],
  ): Promise<TransactionRow[]> {
    if (!keys.length) return [];
    return tx.query<TransactionRow>(
      `SELECT ${COLUMNS} FROM transactions
        WHERE tenant_id = $1 AND (source, external_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))
        ORDER BY id FOR UPDATE`,
      [tx.tenant, keys.map((k) => k.source), keys.map((k) => k.externalId)],
    );
  }

  async lock(tx: Tx, id: string): Promise<TransactionRow | undefined> {
    return tx.one<TransactionRow>(
      `SELECT ${COLUMNS} FROM transactions WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [tx.tenant, id],
    );
  }

  async find(tx: Tx, id: string): Promise<TransactionRow | undefined> {
    return tx.one<TransactionRow>(
      `SELECT ${COLUMNS} FROM transactions WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id],
    );
  }

  async items(tx: Tx, ids: string[]): Promise<ItemRow[]> {
    if (!ids.length) return [];
    return tx.query<ItemRow>(
      `SELECT transaction_id, line_no, sku, name, category, quantity::text, unit_price_minor::text, amount_minor::text
         FROM transaction_items WHERE tenant_id = $1 AND transaction_id = ANY($2::uuid[]) ORDER BY transaction_id, line_no`,
      [tx.tenant, ids],
    );
  }

  /** Returns already stored against these sales (not those of the running batch). */
  async returnsOf(tx: Tx, originalIds: string[], excludeIds: string[]): Promise<TransactionRow[]> {
    if (!originalIds.length) return [];
    return tx.query<TransactionRow>(
      `SELECT ${COLUMNS} FROM transactions
        WHERE tenant_id = $1 AND original_id = ANY($2::uuid[]) AND NOT (id = ANY($3::uuid[])) ORDER BY created_at, id`,
      [tx.tenant, originalIds, excludeIds],
    );
  }

  async claim(tx: Tx, saleId: string, customerId: string, now: Date): Promise<void> {
    await tx.query(
      `UPDATE transactions SET customer_id = $3, claimed_at = $4 WHERE tenant_id = $1 AND (id = $2 OR original_id = $2)`,
      [tx.tenant, saleId, customerId, now],
    );
  }

  async setResponse(
    tx: Tx,
    id: string,
    points: number,
    response: Record<string, unknown>,
  ): Promise<void> {
    await tx.query(
      `UPDATE transactions SET points = $3, response = $4 WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id, points, JSON.stringify(response)],
    );
  }

  async pageForCustomer(
    tx: Tx,
    customerId: string,
    after: { createdAt: string; id: string } | undefined,
    limit: number,
  ): Promise<TransactionRow[]> {
    return tx.query<TransactionRow>(
      `SELECT ${COLUMNS} FROM transactions
        WHERE tenant_id = $1 AND customer_id = $2 AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $5`,
      [tx.tenant, customerId, after?.createdAt ?? null, after?.id ?? null, limit + 1],
    );
  }

  async customerOf(tx: Tx, id: string): Promise<{ customer_id: string | null } | undefined> {
    return tx.one(`SELECT customer_id FROM transactions WHERE tenant_id = $1 AND id = $2`, [
      tx.tenant,
      id,
    ]);
  }

  async moveToSurvivor(tx: Tx, survivorId: string, sourceIds: string[]): Promise<void> {
    await tx.query(
      `UPDATE transactions SET customer_id = $2 WHERE tenant_id = $1 AND customer_id = ANY($3::uuid[])`,
      [tx.tenant, survivorId, sourceIds],
    );
  }
}
