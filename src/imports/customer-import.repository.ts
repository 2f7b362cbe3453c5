import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';
import { arrayLiteral } from '../database/write-batch';
import type { NormalisedIdentity } from '../customers/customer-identity-codec';
import { CUSTOMER_COLUMNS, CustomerRow } from '../customers/customers.repository';

/** Column → SQL type of what an import writes into `customers` (an allow-list for the SQL below). */
const CUSTOMER_TYPES: Record<string, string> = {
  member_no: 'text',
  name: 'text',
  name_pinyin: 'text',
  name_initials: 'text',
  gender: 'text',
  birth_year: 'smallint',
  birth_month: 'smallint',
  birth_day: 'smallint',
  birthday_enc: 'text',
  phone_enc: 'text',
  phone_bidx: 'text',
  phone_tail_bidx: 'text',
  email_enc: 'text',
  email_bidx: 'text',
  address_enc: 'text',
  province: 'text',
  city: 'text',
  district: 'text',
  postcode: 'text',
  clothing_size: 'text',
  shoe_size: 'text',
  preferred_store_id: 'text',
  store_id: 'text',
  registered_by: 'text',
  tags: 'text[]',
  attributes: 'jsonb',
  completeness: 'smallint',
};
const NAMES = Object.keys(CUSTOMER_TYPES);
/** What a new customer gets for a column the import leaves out (the NOT NULL ones). */
const DEFAULTS: Record<string, string> = {
  tags: `'{}'::text[]`,
  attributes: `'{}'::jsonb`,
  gender: `'unknown'`,
  completeness: '0',
};
const RECORD_TYPE = NAMES.map((n) => `${n} ${CUSTOMER_TYPES[n]}`).join(', ');

/**
 * The import's customer insert: one array per column ($3 the ids, then NAMES in order), each
 * sent as a PostgreSQL array literal. Why not one JSON document of the rows (as before):
 * json_to_recordset lexes the text twice (json input, then the record walk) and builds a
 * hash table of field names per row: 175 vs 71 ms to read a 5,000-row batch of 16 columns,
 * on PostgreSQL's core, the import's busiest. Arrays of arrays cannot be ragged,
 * so a text[] column travels as the text of its literal and a jsonb one as its JSON, each
 * cast per row.
 */
const CUSTOMER_INSERT = `INSERT INTO customers (tenant_id, id, confirmed_at, created_at, updated_at, ${NAMES.join(', ')})
   SELECT $1, v.id, $2, $2, $2, ${NAMES.map((n) => {
     const value = CUSTOMER_TYPES[n] === 'text[]' ? `v.${n}::text[]` : `v.${n}`;
     return DEFAULTS[n] ? `COALESCE(${value}, ${DEFAULTS[n]})` : value;
   }).join(', ')}
     FROM unnest($3::uuid[], ${NAMES.map((n, i) => `$${i + 4}::${CUSTOMER_TYPES[n] === 'text[]' ? 'text' : CUSTOMER_TYPES[n]}[]`).join(', ')})
          AS v(id, ${NAMES.join(', ')})`;

/** A column's value as one element of its array parameter (see CUSTOMER_INSERT). */
function columnText(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'text[]') return arrayLiteral(value as unknown[]);
  if (type === 'jsonb') return JSON.stringify(value);
  return value;
}

const IDENTITY_FIELDS = [
  'id',
  'customer_id',
  'type',
  'namespace',
  'value_enc',
  'value_bidx',
] as const satisfies readonly (keyof IdentityInsert)[];

const IDENTITY_INSERT = `INSERT INTO customer_identities (tenant_id, id, customer_id, type, namespace, value_enc, value_bidx, created_at)
   SELECT $1, v.id, v.customer_id, v.type, v.namespace, v.value_enc, v.value_bidx, $2
     FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[])
          AS v(id, customer_id, type, namespace, value_enc, value_bidx)`;

export interface IdentityInsert {
  id: string;
  customer_id: string;
  type: string;
  namespace: string;
  value_enc: string;
  value_bidx: string;
}

/**
 * Runs `fast` (a plain INSERT) inside a savepoint and, only if it hits a unique violation,
 * undoes it and runs `safe` (the same INSERT with ON CONFLICT DO NOTHING) instead: the same
 * rows end up stored either way. Why: ON CONFLICT checks each row against the arbiter index
 * before inserting it — a second descent of a random-key B-tree per row that an insert's own
 * uniqueness check makes redundant when nothing conflicts, which for an import's new
 * customers is the rule (10 % of PostgreSQL's time in a 1M-row import).
 */
async function optimistic<T extends Record<string, unknown>>(
  tx: Tx,
  fast: string,
  safe: string,
  params: unknown[],
): Promise<T[]> {
  await tx.query('SAVEPOINT import_insert');
  try {
    const rows = await tx.query<T>(fast, params);
    await tx.query('RELEASE SAVEPOINT import_insert');
    return rows;
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await tx.query('ROLLBACK TO SAVEPOINT import_insert');
    await tx.query('RELEASE SAVEPOINT import_insert');
    return tx.query<T>(safe, params);
  }
}

/**
 * Set-based writes into the customers' tables for imports: one statement per batch for each
 * of look-up, insert, patch and identities, instead of the per-record path of the API.
 */
@Injectable()
export class CustomerImportRepository {
  /** `type|namespace|bidx` → holder customer id, following merges to the survivor. */
  async identityHolders(tx: Tx, identities: NormalisedIdentity[]): Promise<Map<string, string>> {
    if (!identities.length) return new Map();
    const keys = new Map(identities.map((i) => [`${i.type}|${i.namespace}|${i.bidx}`, i]));
    const rows = await tx.query<{
      type: string;
      namespace: string;
      value_bidx: string;
      customer_id: string;
    }>(
      // One probe of customer_identities_value_key per whole key (the LIMIT keeps the planner
      // from turning it into a hash join over every identity of the tenant). Matching on the
      // blind index alone, as before, could not use the index: a scan of all identities per
      // batch, which made a 1M-row import quadratic.
      `SELECT k.type, k.namespace, k.bidx AS value_bidx, h.customer_id
         FROM unnest($2::text[], $3::text[], $4::text[]) AS k(type, namespace, bidx)
         CROSS JOIN LATERAL (
           SELECT COALESCE(c.merged_into, c.id) AS customer_id
             FROM customer_identities i
             JOIN customers c ON c.tenant_id = i.tenant_id AND c.id = i.customer_id
            WHERE i.tenant_id = $1 AND i.type = k.type AND i.namespace = k.namespace AND i.value_bidx = k.bidx
            LIMIT 1) h`,
      [
        tx.tenant,
        [...keys.values()].map((i) => i.type),
        [...keys.values()].map((i) => i.namespace),
        [...keys.values()].map((i) => i.bidx),
      ],
    );
    return new Map(rows.map((r) => [`${r.type}|${r.namespace}|${r.value_bidx}`, r.customer_id]));
  }

  /** Inserts new customers; answers the ids stored (a member number already taken skips its row). */
  async insertCustomers(
    tx: Tx,
    rows: ({ id: string } & Record<string, unknown>)[],
    now: Date,
  ): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const inserted = await optimistic<{ id: string }>(
      tx,
      `${CUSTOMER_INSERT} RETURNING id`,
      `${CUSTOMER_INSERT} ON CONFLICT (tenant_id, member_no) DO NOTHING RETURNING id`,
      [
        tx.tenant,
        now,
        arrayLiteral(rows.map((r) => r.id)),
        ...NAMES.map((n) => arrayLiteral(rows.map((r) => columnText(CUSTOMER_TYPES[n], r[n])))),
      ],
    );
    return new Set(inserted.map((r) => r.id));
  }

  /**
   * `fresh`: identities of customers created in this batch, which the batch's look-up found
   * unheld, so a conflict is the exception (see `optimistic`). Otherwise an identity the
   * customer already holds is skipped.
   */
  async insertIdentities(
    tx: Tx,
    identities: IdentityInsert[],
    now: Date,
    fresh = false,
  ): Promise<void> {
    if (!identities.length) return;
    const insert = IDENTITY_INSERT;
    const safe = `${insert} ON CONFLICT (tenant_id, type, namespace, value_bidx) DO NOTHING`;
    const params = [
      tx.tenant,
      now,
      ...IDENTITY_FIELDS.map((f) => arrayLiteral(identities.map((i) => i[f]))),
    ];
    if (fresh) await optimistic(tx, insert, safe, params);
    else await tx.query(safe, params);
  }

  /**
   * Stores identities of new customers if none of them is held yet: true when stored, false
   * (and nothing written) when one is. A plain INSERT in a savepoint: its own uniqueness check
   * is the look-up, so an identity costs one descent of the key instead of three (look-up,
   * ON CONFLICT's arbiter probe, insert). The rows come before their customers; nothing checks
   * that order (see migration IdentityWritePath1764000100000).
   */
  async insertUnheldIdentities(tx: Tx, identities: IdentityInsert[], now: Date): Promise<boolean> {
    if (!identities.length) return true;
    await tx.query('SAVEPOINT import_identities');
    try {
      await tx.query(IDENTITY_INSERT, [
        tx.tenant,
        now,
        ...IDENTITY_FIELDS.map((f) => arrayLiteral(identities.map((i) => i[f]))),
      ]);
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error;
      await tx.query(
        'ROLLBACK TO SAVEPOINT import_identities; RELEASE SAVEPOINT import_identities',
      );
      return false;
    }
    await tx.query('RELEASE SAVEPOINT import_identities');
    return true;
  }

  async lockCustomers(tx: Tx, ids: string[]): Promise<CustomerRow[]> {
    return tx.query<CustomerRow>(
      `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = $1 AND id = ANY($2::uuid[]) AND status = 'active' ORDER BY id FOR UPDATE`,
      [tx.tenant, [...new Set(ids)]],
    );
  }

  /** Writes only the columns each patch names; the others keep their stored value. */
  async patchCustomers(
    tx: Tx,
    patches: { id: string; columns: Record<string, unknown> }[],
    now: Date,
  ): Promise<void> {
    if (!patches.length) return;
    const sets = NAMES.map(
      (n) => `${n} = CASE WHEN v.cols ? '${n}' THEN v.${n} ELSE c.${n} END`,
    ).join(', ');
    await tx.query(
      `UPDATE customers c SET ${sets}, version = c.version + 1, updated_at = $3
         FROM (SELECT x.id, x.cols, r.* FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, cols jsonb),
                 LATERAL jsonb_to_record(x.cols) AS r(${RECORD_TYPE})) v
        WHERE c.tenant_id = $1 AND c.id = v.id`,
      [tx.tenant, JSON.stringify(patches.map((p) => ({ id: p.id, cols: p.columns }))), now],
    );
  }
}
