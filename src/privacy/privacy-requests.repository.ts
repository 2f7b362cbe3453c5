import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';

export interface PrivacyRequestRow {
  id: string;
  customer_id: string;
  type: string;
  status: string;
  requested_by: string;
  note: string | null;
  result_enc: string | null;
  result_summary: Record<string, unknown> | null;
  deadline_at: Date;
  completed_at: Date | null;
  created_at: Date;
}

const COLUMNS =
  'id, customer_id, type, status, requested_by, note, result_enc, result_summary, deadline_at, completed_at, created_at';

export interface PrivacyCustomerRow {
  id: string;
  status: string;
  merged_into: string | null;
  deadline_days: number | null;
}

/** privacy_requests, and the customer/tenant facts a request needs. */
@Injectable()
export class PrivacyRequestsRepository {
  /** The customer locked FOR UPDATE (an erasure must not interleave with other writes) and the tenant's deadline setting. */
  async lockCustomer(tx: Tx, customerId: string): Promise<PrivacyCustomerRow | undefined> {
    return tx.one<PrivacyCustomerRow>(
      `SELECT c.id, c.status, c.merged_into, (t.settings #>> '{privacy,requestDeadlineDays}')::int AS deadline_days
         FROM customers c JOIN tenants t ON t.id = c.tenant_id
        WHERE c.tenant_id = $1 AND c.id = $2
        FOR UPDATE OF c`,
      [tx.tenant, customerId],
    );
  }

  async insert(
    tx: Tx,
    row: Omit<
      PrivacyRequestRow,
      'created_at' | 'result_enc' | 'result_summary' | 'completed_at'
    > & { patch_enc: string | null },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO privacy_requests (tenant_id, id, customer_id, type, status, requested_by, note, patch_enc, deadline_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        tx.tenant,
        row.id,
        row.customer_id,
        row.type,
        row.status,
        row.requested_by,
        row.note,
        row.patch_enc,
        row.deadline_at,
      ],
    );
  }

  async complete(
    tx: Tx,
    id: string,
    result: { resultEnc: string | null; summary: Record<string, unknown>; now: Date },
  ): Promise<PrivacyRequestRow> {
    const row = await tx.one<PrivacyRequestRow>(
      `UPDATE privacy_requests SET status = 'completed', result_enc = $3, result_summary = $4, completed_at = $5
        WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [tx.tenant, id, result.resultEnc, result.summary, result.now],
    );
    return row!;
  }

  async find(tx: Tx, id: string): Promise<PrivacyRequestRow | undefined> {
    return tx.one<PrivacyRequestRow>(
      `SELECT ${COLUMNS} FROM privacy_requests WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id],
    );
  }
}
