import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';

export interface FollowUpRow {
  id: string;
  customer_id: string;
  reason: string;
  due_at: Date;
  assignee: string | null;
  status: 'open' | 'done' | 'cancelled';
  source: string;
  source_key: string | null;
  outcome: string | null;
  completed_at: Date | null;
  completed_by: string | null;
  created_at: Date;
}

const COLUMNS =
  'id, customer_id, reason, due_at, assignee, status, source, source_key, outcome, completed_at, completed_by, created_at';

export interface FollowUpFilter {
  assignee?: string;
  status?: string;
  dueBefore?: string;
  customerId?: string;
  /** Staff of role `staff`: only customers of this store. */
  storeId?: string | null;
}

@Injectable()
export class FollowUpsRepository {
  /** Undefined when a rule already created the follow-up with this source_key. */
  async insert(
    tx: Tx,
    row: Omit<FollowUpRow, 'status' | 'outcome' | 'completed_at' | 'completed_by' | 'created_at'>,
    now: Date,
  ): Promise<FollowUpRow | undefined> {
    return tx.one<FollowUpRow>(
      `INSERT INTO customer_follow_ups (tenant_id, id, customer_id, reason, due_at, assignee, source, source_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (tenant_id, source_key) WHERE source_key IS NOT NULL DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        tx.tenant,
        row.id,
        row.customer_id,
        row.reason,
        row.due_at,
        row.assignee,
        row.source,
        row.source_key,
        now,
      ],
    );
  }

  async find(tx: Tx, id: string, forUpdate = false): Promise<FollowUpRow | undefined> {
    return tx.one<FollowUpRow>(
      `SELECT ${COLUMNS} FROM customer_follow_ups WHERE tenant_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
      [tx.tenant, id],
    );
  }

  async complete(tx: Tx, id: string, outcome: string, by: string, now: Date): Promise<FollowUpRow> {
    const row = await tx.one<FollowUpRow>(
      `UPDATE customer_follow_ups SET status = 'done', outcome = $3, completed_by = $4, completed_at = $5
        WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [tx.tenant, id, outcome, by, now],
    );
    return row!;
  }

  /** Soonest due first; keyset on (due_at, id). */
  async list(
    tx: Tx,
    filter: FollowUpFilter,
    after: { dueAt: string; id: string } | undefined,
    limit: number,
  ): Promise<FollowUpRow[]> {
    const params: unknown[] = [tx.tenant];
    const where = ['f.tenant_id = $1'];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.assignee !== undefined) add('f.assignee = ?', filter.assignee);
    if (filter.status !== undefined) add('f.status = ?', filter.status);
    if (filter.dueBefore !== undefined) add('f.due_at < ?::timestamptz', filter.dueBefore);
    if (filter.customerId !== undefined) add('f.customer_id = ?::uuid', filter.customerId);
    if (filter.storeId !== undefined) add('c.store_id IS NOT DISTINCT FROM ?', filter.storeId);
    if (after) {
      params.push(after.dueAt, after.id);
      where.push(
        `(f.due_at, f.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(limit + 1);
    const join =
      filter.storeId !== undefined
        ? 'JOIN customers c ON c.tenant_id = f.tenant_id AND c.id = f.customer_id'
        : '';
    return tx.query<FollowUpRow>(
      `SELECT ${COLUMNS.split(', ')
        .map((c) => `f.${c}`)
        .join(', ')}
         FROM customer_follow_ups f ${join}
        WHERE ${where.join(' AND ')}
        ORDER BY f.due_at, f.id LIMIT $${params.length}`,
      params,
    );
  }

  async moveToSurvivor(tx: Tx, survivorId: string, sourceIds: string[]): Promise<void> {
    await tx.query(
      `UPDATE customer_follow_ups SET customer_id = $2 WHERE tenant_id = $1 AND customer_id = ANY($3::uuid[])`,
      [tx.tenant, survivorId, sourceIds],
    );
  }

  async listOpenFor(tx: Tx, customerIds: string[]): Promise<FollowUpRow[]> {
    return tx.query<FollowUpRow>(
      `SELECT ${COLUMNS} FROM customer_follow_ups WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[]) AND status = 'open' ORDER BY due_at, id`,
      [tx.tenant, customerIds],
    );
  }
}
