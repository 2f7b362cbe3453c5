import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';

/**
 * The loyalty SQL of the daily jobs (points expiry, expiry warnings, tier review), the
 * customer-merge hook and the ledger-vs-balance check: set-based statements over a whole tenant, apart from the posting path
 * in loyalty.repository.ts.
 */
@Injectable()
export class LoyaltyJobsRepository {
  /**
   * Expires every lot due by `now`: ledger rows, lots zeroed, balances lowered. Customers are
   * locked first, in id order, like every other points writer (no deadlock with redemptions).
   */
  async expireDueLots(
    tx: Tx,
    now: Date,
  ): Promise<{ customer_id: string; points: string; balance: string }[]> {
    await tx.query(
      `SELECT id FROM customers WHERE tenant_id = $1 AND id IN (
         SELECT customer_id FROM points_lots WHERE tenant_id = $1 AND remaining > 0 AND expires_at <= $2)
       ORDER BY id FOR UPDATE`,
      [tx.tenant, now],
    );
    return tx.query(
      `WITH due AS (
         SELECT id, customer_id, remaining FROM points_lots
          WHERE tenant_id = $1 AND remaining > 0 AND expires_at <= $2 FOR UPDATE
       ), zeroed AS (
         UPDATE points_lots l SET remaining = 0 FROM due WHERE l.tenant_id = $1 AND l.id = due.id
       ), per_customer AS (
         SELECT customer_id, sum(remaining) AS points FROM due GROUP BY customer_id
       ), ledger AS (
         INSERT INTO points_ledger (tenant_id, id, customer_id, kind, points, reason, source, actor, created_at)
         SELECT $1, kehu_uuid7(), customer_id, 'expire', -points, 'points expired', 'loyalty', 'system', $2 FROM per_customer
       )
       UPDATE customers c SET points_balance = c.points_balance - p.points
         FROM per_customer p WHERE c.tenant_id = $1 AND c.id = p.customer_id
       RETURNING c.id AS customer_id, p.points::text AS points, c.points_balance::text AS balance`,
      [tx.tenant, now],
    );
  }

  /** Lots that expire within the warning window and have not been announced yet; marks them. */
  async markExpiringLots(
    tx: Tx,
    now: Date,
    until: Date,
  ): Promise<{ customer_id: string; points: string; expires_at: Date }[]> {
    return tx.query(
      `WITH marked AS (
         UPDATE points_lots SET expiring_notified_at = $2
          WHERE tenant_id = $1 AND remaining > 0 AND expires_at > $2 AND expires_at <= $3 AND expiring_notified_at IS NULL
          RETURNING customer_id, remaining, expires_at
       )
       SELECT customer_id, sum(remaining)::text AS points, min(expires_at) AS expires_at FROM marked GROUP BY customer_id`,
      [tx.tenant, now, until],
    );
  }

  /** Every customer holding a tier above the base, for the review. */
  async customersAboveBase(
    tx: Tx,
    baseCode: string,
  ): Promise<{ id: string; tier_code: string; tier_since: Date | null; points_balance: string }[]> {
    return tx.query(
      `SELECT id, tier_code, tier_since, points_balance::text FROM customers
        WHERE tenant_id = $1 AND status = 'active' AND tier_code IS NOT NULL AND tier_code <> $2 ORDER BY id FOR UPDATE`,
      [tx.tenant, baseCode],
    );
  }

  /** Cached balances recomputed from the ledger (after an undone merge put entries back). */
  async refreshBalances(tx: Tx, ids: string[]): Promise<void> {
    await tx.query(
      `UPDATE customers c SET points_balance = (SELECT coalesce(sum(l.points), 0) FROM points_ledger l WHERE l.tenant_id = c.tenant_id AND l.customer_id = c.id)
        WHERE c.tenant_id = $1 AND c.id = ANY($2::uuid[])`,
      [tx.tenant, ids],
    );
  }

  /** Merge: the survivor takes the sources' ledger and lots; its balance is the new ledger sum. */
  async moveToSurvivor(tx: Tx, survivorId: string, sourceIds: string[]): Promise<void> {
    await tx.query(
      `UPDATE points_ledger SET customer_id = $2 WHERE tenant_id = $1 AND customer_id = ANY($3::uuid[])`,
      [tx.tenant, survivorId, sourceIds],
    );
    await tx.query(
      `UPDATE points_lots SET customer_id = $2 WHERE tenant_id = $1 AND customer_id = ANY($3::uuid[])`,
      [tx.tenant, survivorId, sourceIds],
    );
    await tx.query(
      `UPDATE customers SET points_balance = 0 WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tx.tenant, sourceIds],
    );
    await tx.query(
      `UPDATE customers SET points_balance = (SELECT coalesce(sum(points), 0) FROM points_ledger WHERE tenant_id = $1 AND customer_id = $2)
        WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, survivorId],
    );
  }

  /** Ledger sum vs cached balance vs open lots, per customer that differs. */
  async balanceDifferences(
    tx: Tx,
  ): Promise<{ customer_id: string; cached: string; ledger: string; lots: string }[]> {
    return tx.query(
      `SELECT c.id AS customer_id, c.points_balance::text AS cached, coalesce(l.total, 0)::text AS ledger, coalesce(o.total, 0)::text AS lots
         FROM customers c
         LEFT JOIN (SELECT customer_id, sum(points) AS total FROM points_ledger WHERE tenant_id = $1 GROUP BY customer_id) l ON l.customer_id = c.id
         LEFT JOIN (SELECT customer_id, sum(remaining) AS total FROM points_lots WHERE tenant_id = $1 GROUP BY customer_id) o ON o.customer_id = c.id
        WHERE c.tenant_id = $1
          AND (c.points_balance <> coalesce(l.total, 0) OR greatest(c.points_balance, 0) <> coalesce(o.total, 0))`,
      [tx.tenant],
    );
  }
}
