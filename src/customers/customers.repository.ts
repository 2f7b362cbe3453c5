import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';

/** A customers row as stored: personal data still encrypted. Never leaves the service layer. */
export interface CustomerRow {
  id: string;
  member_no: string;
  status: string;
  merged_into: string | null;
  name: string | null;
  name_pinyin: string | null;
  name_initials: string | null;
  gender: string;
  birth_year: number | null;
  birth_month: number | null;
  birth_day: number | null;
  birthday_enc: string | null;
  phone_enc: string | null;
  phone_bidx: string | null;
  phone_tail_bidx: string | null;
  email_enc: string | null;
  email_bidx: string | null;
  address_enc: string | null;
  province: string | null;
  city: string | null;
  district: string | null;
  postcode: string | null;
  clothing_size: string | null;
  shoe_size: string | null;
  preferred_store_id: string | null;
  store_id: string | null;
  registered_by: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  completeness: number;
  tier_code: string | null;
  tier_since: Date | null;
  points_balance: string;
  confirmed_at: Date | null;
  archived_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** The columns the customers feature writes. tier_code, tier_since, points_balance belong to loyalty. */
export type CustomerWritable = Omit<
  CustomerRow,
  | 'id'
  | 'status'
  | 'merged_into'
  | 'tier_code'
  | 'tier_since'
  | 'points_balance'
  | 'version'
  | 'created_at'
  | 'updated_at'
  | 'archived_at'
>;

const WRITABLE_COLUMNS: (keyof CustomerWritable)[] = [
  'member_no',
  'name',
  'name_pinyin',
  'name_initials',
  'gender',
  'birth_year',
  'birth_month',
  'birth_day',
  'birthday_enc',
  'phone_enc',
  'phone_bidx',
  'phone_tail_bidx',
  'email_enc',
  'email_bidx',
  'address_enc',
  'province',
  'city',
  'district',
  'postcode',
  'clothing_size',
  'shoe_size',
  'preferred_store_id',
  'store_id',
  'registered_by',
  'tags',
  'attributes',
  'completeness',
  'confirmed_at',
];

export const CUSTOMER_COLUMNS = [
  'id',
  'status',
  'merged_into',
  ...WRITABLE_COLUMNS,
  'tier_code',
  'tier_since',
  'points_balance',
  'archived_at',
  'version',
  'created_at',
  'updated_at',
].join(', ');

/** Columns the API model does not show (search keys, archive time): reads for display skip them. */
const UNSHOWN_COLUMNS = [
  'name_pinyin',
  'name_initials',
  'phone_bidx',
  'phone_tail_bidx',
  'email_bidx',
  'archived_at',
] as const;

/** What `toCustomerModel` reads of a row. */
export type CustomerDisplayRow = Omit<CustomerRow, (typeof UNSHOWN_COLUMNS)[number]>;

const DISPLAY_COLUMNS = CUSTOMER_COLUMNS.split(', ').filter(
  (c) => !(UNSHOWN_COLUMNS as readonly string[]).includes(c),
);
/** The display columns qualified with `c`, for a page of rows (search) — built once. */
export const CUSTOMER_DISPLAY_COLUMNS_C = DISPLAY_COLUMNS.map((c) => `c.${c}`).join(', ');

const FIND_BY_IDENTITY = `SELECT ${CUSTOMER_DISPLAY_COLUMNS_C}
   FROM customer_identities i
   JOIN customers c ON c.tenant_id = i.tenant_id AND c.id = i.customer_id
  WHERE i.tenant_id = $1 AND i.type = $2 AND i.namespace = $3 AND i.value_bidx = $4`;

export interface IdentityRow {
  id: string;
  customer_id: string;
  type: string;
  namespace: string;
  value_enc: string;
  value_bidx: string;
  verified: boolean;
  created_at: Date;
}

const IDENTITY_COLUMNS =
  'id, customer_id, type, namespace, value_enc, value_bidx, verified, created_at';

/** All SQL of the customer aggregate (profile and identities). */
@Injectable()
export class CustomersRepository {
  async insert(tx: Tx, id: string, values: CustomerWritable, now: Date): Promise<CustomerRow> {
    const params: unknown[] = [tx.tenant, id, now];
    const placeholders = WRITABLE_COLUMNS.map((column) => {
      params.push(column === 'attributes' ? JSON.stringify(values[column]) : values[column]);
      return `$${params.length}`;
    });
    const row = await tx.one<CustomerRow>(
      `INSERT INTO customers (tenant_id, id, created_at, updated_at, ${WRITABLE_COLUMNS.join(', ')})
       VALUES ($1, $2, $3, $3, ${placeholders.join(', ')})
       RETURNING ${CUSTOMER_COLUMNS}`,
      params,
    );
    return row!;
  }

  /** Writes the given columns and bumps the version; `expectedVersion` guards lost updates. */
  async update(
    tx: Tx,
    id: string,
    values: Partial<CustomerWritable>,
    now: Date,
    expectedVersion?: number,
  ): Promise<CustomerRow | undefined> {
    const params: unknown[] = [tx.tenant, id, now];
    const sets = Object.entries(values)
      .filter(([column]) => (WRITABLE_COLUMNS as string[]).includes(column))
      .map(([column, value]) => {
        params.push(column === 'attributes' ? JSON.stringify(value) : value);
        return `${column} = $${params.length}`;
      });
    let guard = '';
    if (expectedVersion !== undefined) {
      params.push(expectedVersion);
      guard = ` AND version = $${params.length}`;
    }
    return tx.one<CustomerRow>(
      `UPDATE customers SET ${[...sets, 'version = version + 1', 'updated_at = $3'].join(', ')}
        WHERE tenant_id = $1 AND id = $2${guard}
       RETURNING ${CUSTOMER_COLUMNS}`,
      params,
    );
  }

  async setStatus(
    tx: Tx,
    ids: string[],
    status: 'active' | 'archived' | 'merged',
    now: Date,
    mergedInto: string | null = null,
  ): Promise<void> {
    await tx.query(
      `UPDATE customers
          SET status = $3, merged_into = $4, updated_at = $5, version = version + 1,
              archived_at = CASE WHEN $3 = 'archived' THEN $5 ELSE archived_at END
        WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tx.tenant, ids, status, mergedInto, now],
    );
  }

  async findById(tx: Tx, id: string, forUpdate = false): Promise<CustomerRow | undefined> {
    return tx.one<CustomerRow>(
      `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
      [tx.tenant, id],
    );
  }

  async findByIds(tx: Tx, ids: string[]): Promise<CustomerRow[]> {
    return tx.query<CustomerRow>(
      `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tx.tenant, ids],
    );
  }

  /** Where a merged id points; tombstones are re-pointed on every merge, so one hop suffices. */
  async findStatus(
    tx: Tx,
    id: string,
  ): Promise<
    { id: string; status: string; merged_into: string | null; store_id: string | null } | undefined
  > {
    return tx.one(
      `SELECT id, status, merged_into, store_id FROM customers WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id],
    );
  }

  /**
   * The POS hot path: identity → customer in one indexed join, the columns the model shows. A
   * prepared statement: parsed once per connection, and its plan kept.
   */
  async findByIdentity(
    tx: Tx,
    type: string,
    namespace: string,
    bidx: string,
  ): Promise<CustomerDisplayRow | undefined> {
    const rows = await tx.prepared<CustomerDisplayRow>(FIND_BY_IDENTITY, [
      tx.tenant,
      type,
      namespace,
      bidx,
    ]);
    return rows[0];
  }

  async findIdentityHolder(
    tx: Tx,
    type: string,
    namespace: string,
    bidx: string,
  ): Promise<{ id: string; customer_id: string; member_no: string } | undefined> {
    return tx.one(
      `SELECT i.id, i.customer_id, c.member_no
         FROM customer_identities i
         JOIN customers c ON c.tenant_id = i.tenant_id AND c.id = i.customer_id
        WHERE i.tenant_id = $1 AND i.type = $2 AND i.namespace = $3 AND i.value_bidx = $4`,
      [tx.tenant, type, namespace, bidx],
    );
  }

  async memberNoTaken(tx: Tx, memberNo: string): Promise<boolean> {
    return !!(await tx.one(`SELECT 1 FROM customers WHERE tenant_id = $1 AND member_no = $2`, [
      tx.tenant,
      memberNo,
    ]));
  }

  async insertIdentity(
    tx: Tx,
    identity: Omit<IdentityRow, 'created_at' | 'verified'> & { verified?: boolean },
    now: Date,
  ): Promise<IdentityRow> {
    const row = await tx.one<IdentityRow>(
      `INSERT INTO customer_identities (tenant_id, id, customer_id, type, namespace, value_enc, value_bidx, created_at, verified)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       RETURNING ${IDENTITY_COLUMNS}`,
      [
        tx.tenant,
        identity.id,
        identity.customer_id,
        identity.type,
        identity.namespace,
        identity.value_enc,
        identity.value_bidx,
        now,
        identity.verified === true,
      ],
    );
    return row!;
  }

  async listIdentities(tx: Tx, customerIds: string[]): Promise<IdentityRow[]> {
    return tx.query<IdentityRow>(
      `SELECT ${IDENTITY_COLUMNS} FROM customer_identities WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[]) ORDER BY created_at, id`,
      [tx.tenant, customerIds],
    );
  }

  async findIdentity(
    tx: Tx,
    customerId: string,
    identityId: string,
  ): Promise<IdentityRow | undefined> {
    return tx.one<IdentityRow>(
      `SELECT ${IDENTITY_COLUMNS} FROM customer_identities WHERE tenant_id = $1 AND customer_id = $2 AND id = $3`,
      [tx.tenant, customerId, identityId],
    );
  }

  async deleteIdentities(tx: Tx, ids: string[]): Promise<void> {
    await tx.query(
      `DELETE FROM customer_identities WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tx.tenant, ids],
    );
  }

  async deleteIdentitiesOfType(tx: Tx, customerId: string, type: string): Promise<void> {
    await tx.query(
      `DELETE FROM customer_identities WHERE tenant_id = $1 AND customer_id = $2 AND type = $3`,
      [tx.tenant, customerId, type],
    );
  }

  async deleteAllIdentities(tx: Tx, customerId: string): Promise<void> {
    await tx.query(`DELETE FROM customer_identities WHERE tenant_id = $1 AND customer_id = $2`, [
      tx.tenant,
      customerId,
    ]);
  }

  async findByIdsForUpdate(tx: Tx, ids: string[]): Promise<CustomerRow[]> {
    return tx.query<CustomerRow>(
      `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE tenant_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
      [tx.tenant, ids],
    );
  }

  async moveIdentities(tx: Tx, survivorId: string, sourceIds: string[]): Promise<void> {
    await tx.query(
      `UPDATE customer_identities SET customer_id = $2 WHERE tenant_id = $1 AND customer_id = ANY($3::uuid[])`,
      [tx.tenant, survivorId, sourceIds],
    );
  }

  /** Older tombstones that pointed at a record now merged point straight at the new survivor. */
  async repointTombstones(tx: Tx, fromIds: string[], survivorId: string): Promise<void> {
    await tx.query(
      `UPDATE customers SET merged_into = $2 WHERE tenant_id = $1 AND merged_into = ANY($3::uuid[])`,
      [tx.tenant, survivorId, fromIds],
    );
  }
}
