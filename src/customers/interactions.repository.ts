import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';

export interface InteractionRow {
  id: string;
  customer_id: string;
  type: string;
  summary: string;
  outcome: string | null;
  staff_id: string | null;
  follow_up_id: string | null;
  occurred_at: Date;
  created_at: Date;
}

const COLUMNS =
  'id, customer_id, type, summary, outcome, staff_id, follow_up_id, occurred_at, created_at';

@Injectable()
export class InteractionsRepository {
  async insert(
    tx: Tx,
    row: Omit<InteractionRow, 'created_at'>,
    now: Date,
  ): Promise<InteractionRow> {
    const inserted = await tx.one<InteractionRow>(
      `INSERT INTO customer_interactions (tenant_id, id, customer_id, type, summary, outcome, staff_id, follow_up_id, occurred_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       RETURNING ${COLUMNS}`,
      [
        tx.tenant,
        row.id,
        row.customer_id,
        row.type,
        row.summary,
        row.outcome,
        row.staff_id,
        row.follow_up_id,
        row.occurred_at,
        now,
      ],
    );
    return inserted!;
  }

  /** Newest first, keyset on (created_at, id). */
  async list(
    tx: Tx,
    customerId: string,
    after: { createdAt: string; id: string } | undefined,
    limit: number,
  ): Promise<InteractionRow[]> {
    const params: unknown[] = [tx.tenant, customerId, limit + 1];
    let keyset = '';
    if (after) {
      params.push(after.createdAt, after.id);
      keyset = ' AND (created_at, id) < ($4::timestamptz, $5::uuid)';
    }
    return tx.query<InteractionRow>(
      `SELECT ${COLUMNS} FROM customer_interactions
        WHERE tenant_id = $1 AND customer_id = $2${keyset}
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      params,
    );
  }

  async moveToSurvivor(tx: Tx, survivorId: string, sourceIds: string[]): Promise<void> {
    await tx.query(
      `UPDATE customer_interactions SET customer_id = $2 WHERE tenant_id = $1 AND customer_id = ANY($3::uuid[])`,
      [tx.tenant, survivorId, sourceIds],
    );
  }

  /** The newest `perCustomer` interactions of each customer, in one query. */
  async recentFor(tx: Tx, customerIds: string[], perCustomer: number): Promise<InteractionRow[]> {
    return tx.query<InteractionRow>(
      `SELECT ${COLUMNS} FROM (
         SELECT ${COLUMNS}, row_number() OVER (PARTITION BY customer_id ORDER BY created_at DESC, id DESC) AS n
           FROM customer_interactions WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[])
       ) ranked WHERE n <= $3 ORDER BY created_at DESC, id DESC`,
      [tx.tenant, customerIds, perCustomer],
    );
  }
}
