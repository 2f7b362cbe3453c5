import { Injectable } from '@nestjs/common';
import { Keyset, keysetCondition } from '../common/pagination';
import type { Tx } from '../database/tx';
import type { MergeSnapshot } from './merge-snapshot.repository';

export interface MergeRow {
  id: string;
  survivor_id: string;
  source_ids: string[];
  actor_kind: string;
  actor_id: string | null;
  reason: string | null;
  rule: string | null;
  status: 'applied' | 'undone' | 'erased';
  created_at: Date;
  undone_at: Date | null;
}

const COLUMNS =
  'id, survivor_id, source_ids, actor_kind, actor_id, reason, rule, status, created_at, undone_at';

/** SQL of recorded merges. */
@Injectable()
export class MergesRepository {
  async insert(
    tx: Tx,
    row: Omit<MergeRow, 'status' | 'undone_at'>,
    snapshot: MergeSnapshot,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO customer_merges (tenant_id, id, survivor_id, source_ids, actor_kind, actor_id, reason, rule, snapshot, created_at)
       VALUES ($1, $2, $3, $4::uuid[], $5, $6, $7, $8, $9, $10)`,
      [
        tx.tenant,
        row.id,
        row.survivor_id,
        row.source_ids,
        row.actor_kind,
        row.actor_id,
        row.reason,
        row.rule,
        JSON.stringify(snapshot),
        row.created_at,
      ],
    );
  }

  /** Merges this customer took part in (as survivor or source), newest first. */
  async listFor(tx: Tx, customerId: string, limit: number, after?: Keyset): Promise<MergeRow[]> {
    const keyset = keysetCondition(after, 4);
    return tx.query<MergeRow>(
      `SELECT ${COLUMNS} FROM customer_merges
        WHERE tenant_id = $1 AND (survivor_id = $2 OR source_ids @> ARRAY[$2]::uuid[]) AND ${keyset.sql}
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [tx.tenant, customerId, limit + 1, ...keyset.params],
    );
  }

  async lock(
    tx: Tx,
    id: string,
  ): Promise<(MergeRow & { snapshot: MergeSnapshot | null }) | undefined> {
    return tx.one(
      `SELECT ${COLUMNS}, snapshot FROM customer_merges WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
      [tx.tenant, id],
    );
  }

  /** The applied merge that took this customer in as a source (it must be undone first). */
  async laterMergeOf(tx: Tx, customerId: string): Promise<string | undefined> {
    const row = await tx.one<{ id: string }>(
      `SELECT id FROM customer_merges WHERE tenant_id = $1 AND status = 'applied' AND source_ids @> ARRAY[$2]::uuid[] ORDER BY created_at DESC LIMIT 1`,
      [tx.tenant, customerId],
    );
    return row?.id;
  }

  async markUndone(tx: Tx, id: string, by: string, now: Date): Promise<MergeRow> {
    // The snapshot has served its purpose; dropping it keeps no second copy of personal data.
    const row = await tx.one<MergeRow>(
      `UPDATE customer_merges SET status = 'undone', undone_at = $3, undone_by = $4, snapshot = NULL WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [tx.tenant, id, now, by],
    );
    return row!;
  }

  /** Erasure: merges involving the customer lose their snapshot and can no longer be undone. */
  async forgetCustomer(tx: Tx, customerId: string): Promise<void> {
    await tx.query(
      `UPDATE customer_merges SET snapshot = NULL, status = CASE WHEN status = 'applied' THEN 'erased' ELSE status END
        WHERE tenant_id = $1 AND (survivor_id = $2 OR source_ids @> ARRAY[$2]::uuid[])`,
      [tx.tenant, customerId],
    );
  }
}
