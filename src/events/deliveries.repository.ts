import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';

export type DeliveryStatus = 'pending' | 'delivering' | 'succeeded' | 'dead' | 'suppressed';

export interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string;
  event_seq: string;
  event_type: string;
  customer_id: string | null;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_status_code: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  redelivery_of: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface AttemptRow {
  delivery_id: string;
  attempted_at: Date;
  outcome: 'succeeded' | 'failed';
  status_code: number | null;
  latency_ms: number;
  error: string | null;
}

/** What the dispatcher decided for one claimed delivery. */
export interface DeliveryOutcome {
  id: string;
  status: DeliveryStatus;
  /** False when the delivery was handed back untried (circuit open, consent refused). */
  attempted: boolean;
  nextAttemptAt: Date;
  statusCode: number | null;
  latencyMs: number | null;
  error: string | null;
  attemptedAt: Date;
}

const COLUMNS = `id, webhook_id, event_id, event_seq, event_type, customer_id, status, attempts, next_attempt_at,
  last_status_code, last_latency_ms, last_error, redelivery_of, created_at, updated_at`;

@Injectable()
export class DeliveriesRepository {
  /**
   * Claims due deliveries of one tenant, oldest first, skipping rows another dispatcher holds.
   * A delivery is due only when no earlier delivery of the same (subscription, customer) is
   * still open, which is what keeps each customer's events in order at the receiver. Claimed
   * rows are leased: if this process dies, the lease runs out and another one retries them.
   */
  async claim(tx: Tx, now: Date, leaseUntil: Date, limit: number): Promise<DeliveryRow[]> {
    // Claims of one tenant take turns (held to the end of this short transaction; other
    // dispatchers wait milliseconds). Overlapping claims raced for the same head of the queue:
    // one whose snapshot predates another's commit re-checks and keeps row locks on rows the
    // other already leased, so that lane's settle waited on it; under load such overlapping
    // claims were seen spinning for seconds while settles queued behind them.
    await tx.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('kehu.webhooks.claim:' || $1, 0))`,
      [tx.tenant],
    );
    // The plan must walk the due index in order and stop after `limit` claimable rows. With
    // real statistics PostgreSQL prefers to seq-scan every open delivery, run the ordering
    // probe on each and sort: O(queue) per batch (100k queued: ~0.3-0.9 s per claim instead
    // of ~10 ms); on a fresh table without statistics it may even seq-scan inside the probe.
    // Sorts and seq scans are switched off for this one statement so the index walk wins.
    await tx.query(
      `SELECT set_config('enable_sort', 'off', true), set_config('enable_seqscan', 'off', true)`,
    );
    const rows = await tx.query<DeliveryRow>(
      `WITH pick AS (
         SELECT d.id FROM webhook_deliveries d
           JOIN webhooks w ON w.tenant_id = d.tenant_id AND w.id = d.webhook_id AND w.active
          WHERE d.tenant_id = $1
            AND ((d.status = 'pending' AND d.next_attempt_at <= $2) OR (d.status = 'delivering' AND d.locked_until < $2))
            AND (d.customer_id IS NULL OR NOT EXISTS (
                  SELECT 1 FROM webhook_deliveries p
                   WHERE p.tenant_id = d.tenant_id AND p.webhook_id = d.webhook_id AND p.customer_id = d.customer_id
                     AND p.status IN ('pending', 'delivering') AND p.event_seq < d.event_seq))
          ORDER BY d.next_attempt_at, d.event_seq
          LIMIT $4
          FOR UPDATE OF d SKIP LOCKED)
       UPDATE webhook_deliveries d SET status = 'delivering', locked_until = $3, updated_at = $2
         FROM pick
        WHERE d.tenant_id = $1 AND d.id = pick.id
       RETURNING d.id, d.webhook_id, d.event_id, d.event_seq, d.event_type, d.customer_id, d.status, d.attempts,
                 d.next_attempt_at, d.last_status_code, d.last_latency_ms, d.last_error, d.redelivery_of, d.created_at, d.updated_at`,
      [tx.tenant, now, leaseUntil, limit],
    );
    await tx.query(
      `SELECT set_config('enable_sort', 'on', true), set_config('enable_seqscan', 'on', true)`,
    );
    return rows;
  }

  /** Writes a batch's outcomes and its attempt log in two statements, whatever the batch size. */
  async settle(tx: Tx, outcomes: DeliveryOutcome[]): Promise<void> {
    if (!outcomes.length) return;
    // RETURNING tells which rows still exist (a subscription deleted mid-batch takes its
    // deliveries with it) and the update locks them, so the attempt log below cannot dangle.
    const updated = await tx.query<{ id: string }>(
      `UPDATE webhook_deliveries d
          SET status = r.status,
              attempts = d.attempts + CASE WHEN r.attempted THEN 1 ELSE 0 END,
              next_attempt_at = r.next_attempt_at,
              locked_until = NULL,
              last_status_code = CASE WHEN r.attempted THEN r.status_code ELSE d.last_status_code END,
              last_latency_ms = CASE WHEN r.attempted THEN r.latency_ms ELSE d.last_latency_ms END,
              last_error = CASE WHEN r.attempted OR r.error IS NOT NULL THEN r.error ELSE d.last_error END,
              updated_at = r.attempted_at
         FROM unnest($2::uuid[], $3::text[], $4::boolean[], $5::timestamptz[], $6::int[], $7::int[], $8::text[], $9::timestamptz[])
              AS r(id, status, attempted, next_attempt_at, status_code, latency_ms, error, attempted_at)
        WHERE d.tenant_id = $1 AND d.id = r.id
       RETURNING d.id`,
      [
        tx.tenant,
        outcomes.map((o) => o.id),
        outcomes.map((o) => o.status),
        outcomes.map((o) => o.attempted),
        outcomes.map((o) => o.nextAttemptAt),
        outcomes.map((o) => o.statusCode),
        outcomes.map((o) => o.latencyMs),
        outcomes.map((o) => o.error),
        outcomes.map((o) => o.attemptedAt),
      ],
    );
    const existing = new Set(updated.map((r) => r.id));
    const attempted = outcomes.filter((o) => o.attempted && existing.has(o.id));
    if (!attempted.length) return;
    await tx.query(
      `INSERT INTO webhook_delivery_attempts (tenant_id, id, delivery_id, attempted_at, outcome, status_code, latency_ms, error)
       SELECT $1, kehu_uuid7(), r.delivery_id, r.attempted_at, r.outcome, r.status_code, r.latency_ms, r.error
         FROM unnest($2::uuid[], $3::timestamptz[], $4::text[], $5::int[], $6::int[], $7::text[])
              AS r(delivery_id, attempted_at, outcome, status_code, latency_ms, error)`,
      [
        tx.tenant,
        attempted.map((o) => o.id),
        attempted.map((o) => o.attemptedAt),
        attempted.map((o) => (o.status === 'succeeded' ? 'succeeded' : 'failed')),
        attempted.map((o) => o.statusCode),
        attempted.map((o) => o.latencyMs ?? 0),
        attempted.map((o) => o.error),
      ],
    );
  }

  async find(tx: Tx, id: string): Promise<DeliveryRow | undefined> {
    return tx.one<DeliveryRow>(
      `SELECT ${COLUMNS} FROM webhook_deliveries WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id],
    );
  }

  async listForWebhook(
    tx: Tx,
    webhookId: string,
    after: { createdAt: string; id: string } | undefined,
    status: string | undefined,
    limit: number,
  ): Promise<DeliveryRow[]> {
    return tx.query<DeliveryRow>(
      `SELECT ${COLUMNS} FROM webhook_deliveries
        WHERE tenant_id = $1 AND webhook_id = $2
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
          AND ($5::text IS NULL OR status = $5)
        ORDER BY created_at DESC, id DESC
        LIMIT $6`,
      [
        tx.tenant,
        webhookId,
        after?.createdAt ?? null,
        after?.id ?? null,
        status ?? null,
        limit + 1,
      ],
    );
  }

  async attemptsFor(tx: Tx, deliveryIds: string[]): Promise<AttemptRow[]> {
    if (!deliveryIds.length) return [];
    return tx.query<AttemptRow>(
      `SELECT delivery_id, attempted_at, outcome, status_code, latency_ms, error FROM webhook_delivery_attempts
        WHERE tenant_id = $1 AND delivery_id = ANY ($2::uuid[])
        ORDER BY attempted_at, id`,
      [tx.tenant, deliveryIds],
    );
  }

  /** A fresh delivery of the same event to the same subscription, due now. */
  async insertRedelivery(
    tx: Tx,
    original: DeliveryRow,
    id: string,
    now: Date,
  ): Promise<DeliveryRow> {
    const row = await tx.one<DeliveryRow>(
      `INSERT INTO webhook_deliveries
              (tenant_id, id, webhook_id, event_id, event_seq, event_type, customer_id, next_attempt_at, redelivery_of, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $8)
       RETURNING ${COLUMNS}`,
      [
        tx.tenant,
        id,
        original.webhook_id,
        original.event_id,
        original.event_seq,
        original.event_type,
        original.customer_id,
        now,
        original.id,
      ],
    );
    return row!;
  }
}
