import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';
import { SqlPart, WriteBatch } from '../database/write-batch';
import type { StoredEarnRules, StoredTier } from './loyalty-program';
import type { OpenLot } from './points-math';

export interface ProgramRow {
  currency: string;
  points_per_unit: string;
  rounding: 'floor' | 'round' | 'ceil';
  expiry_months: number | null;
  tiers: StoredTier[];
  earn_rules: StoredEarnRules;
  version: number;
  updated_at: Date;
}

export interface TenantRow {
  currency: string;
  time_zone: string;
  settings: Record<string, unknown>;
}

export interface LoyaltyCustomerRow {
  id: string;
  status: string;
  tier_code: string | null;
  tier_since: Date | null;
  points_balance: string;
  birth_month: number | null;
}

export interface LedgerInsert {
  id: string;
  customerId: string;
  kind: 'earn' | 'redeem' | 'adjust' | 'expire' | 'reverse';
  points: number;
  reason: string;
  source: string;
  externalId: string | null;
  actor: string;
  transactionId: string | null;
  createdAt: Date;
}

export interface LotInsert {
  id: string;
  customerId: string;
  transactionId: string | null;
  points: number;
  remaining: number;
  earnedAt: Date;
  expiresAt: Date | null;
}

export interface LedgerRow {
  id: string;
  customer_id: string;
  kind: string;
  points: string;
  reason: string;
  source: string;
  external_id: string | null;
  actor: string;
  transaction_id: string | null;
  created_at: Date;
}

const LEDGER_COLUMNS =
  'id, customer_id, kind, points, reason, source, external_id, actor, transaction_id, created_at';

/** All SQL of the loyalty feature, including its cache columns on the customer row. */
@Injectable()
export class LoyaltyRepository {
  async findProgram(tx: Tx): Promise<ProgramRow | undefined> {
    return tx.one<ProgramRow>(
      `SELECT currency, points_per_unit::text, rounding, expiry_months, tiers, earn_rules, version, updated_at
         FROM loyalty_programs WHERE tenant_id = $1`,
      [tx.tenant],
    );
  }

  /**
   * Program (if saved) and tenant settings in one statement: every posting needs both. The
   * tenant comes from the transaction's setting, so the statement can also be sent with BEGIN
   * (`Database.withTenant(…, { prefetch: [LoyaltyRepository.PROGRAM_AND_TENANT] })`). The query
   * lives in a PL/pgSQL function (migration PostingContext) so its plan is kept per connection:
   * sent with BEGIN it would be planned again on every sale.
   */
  static readonly PROGRAM_AND_TENANT = `SELECT currency, time_zone, settings, program FROM kehu_posting_context()`;

  async findProgramAndTenant(
    tx: Tx,
  ): Promise<{ program: ProgramRow | undefined; tenant: TenantRow }> {
    const sql = LoyaltyRepository.PROGRAM_AND_TENANT;
    const [row] =
      tx.prefetched<TenantRow & { program: ProgramRow | null }>(sql) ??
      (await tx.query<TenantRow & { program: ProgramRow | null }>(sql));
    if (!row) throw new Error('tenant row not visible');
    const program = row.program
      ? { ...row.program, updated_at: new Date(row.program.updated_at) }
      : undefined;
    return {
      program,
      tenant: { currency: row.currency, time_zone: row.time_zone, settings: row.settings },
    };
  }

  async findTenant(tx: Tx): Promise<TenantRow> {
    const row = await tx.one<TenantRow>(
      `SELECT currency, time_zone, settings FROM tenants WHERE id = $1`,
      [tx.tenant],
    );
    if (!row) throw new Error('tenant row not visible');
    return row;
  }

  async saveProgram(
    tx: Tx,
    program: {
      currency: string;
      pointsPerUnit: string;
      rounding: string;
      expiryMonths: number | null;
      tiers: StoredTier[];
      earnRules: StoredEarnRules;
    },
  ): Promise<ProgramRow> {
    const row = await tx.one<ProgramRow>(
      `INSERT INTO loyalty_programs (tenant_id, currency, points_per_unit, rounding, expiry_months, tiers, earn_rules)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id) DO UPDATE SET currency = EXCLUDED.currency, points_per_unit = EXCLUDED.points_per_unit,
         rounding = EXCLUDED.rounding, expiry_months = EXCLUDED.expiry_months, tiers = EXCLUDED.tiers,
         earn_rules = EXCLUDED.earn_rules, version = loyalty_programs.version + 1, updated_at = now()
       RETURNING currency, points_per_unit::text, rounding, expiry_months, tiers, earn_rules, version, updated_at`,
      [
        tx.tenant,
        program.currency,
        program.pointsPerUnit,
        program.rounding,
        program.expiryMonths,
        JSON.stringify(program.tiers),
        program.earnRules,
      ],
    );
    return row!;
  }

  /** Locks the customers' rows in id order (no deadlocks between concurrent postings). */
  async lockCustomers(tx: Tx, ids: string[]): Promise<LoyaltyCustomerRow[]> {
    if (!ids.length) return [];
    return tx.query<LoyaltyCustomerRow>(
      `SELECT id, status, tier_code, tier_since, points_balance::text, birth_month
         FROM customers WHERE tenant_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
      [tx.tenant, [...ids].sort()],
    );
  }

  async findCustomers(tx: Tx, ids: string[]): Promise<LoyaltyCustomerRow[]> {
    return tx.query<LoyaltyCustomerRow>(
      `SELECT id, status, tier_code, tier_since, points_balance::text, birth_month FROM customers WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tx.tenant, ids],
    );
  }

  async updateCustomerCaches(
    tx: Tx,
    rows: { id: string; balance: number; tierCode: string; tierSince: Date }[],
  ): Promise<void> {
    await new WriteBatch().add(this.updateCustomerCachesPart(rows)).run(tx);
  }

  updateCustomerCachesPart(
    rows: { id: string; balance: number; tierCode: string; tierSince: Date }[],
  ): SqlPart | undefined {
    if (!rows.length) return undefined;
    return {
      ctes: [
        {
          name: 'loyalty_customer_caches',
          sql: `UPDATE customers c SET points_balance = v.balance, tier_code = v.tier_code, tier_since = v.tier_since
         FROM unnest($2::uuid[], $3::bigint[], $4::text[], $5::timestamptz[]) AS v(id, balance, tier_code, tier_since)
        WHERE c.tenant_id = $1 AND c.id = ANY($2::uuid[]) AND c.id = v.id`,
        },
      ],
      params: [
        rows.map((r) => r.id),
        rows.map((r) => r.balance),
        rows.map((r) => r.tierCode),
        rows.map((r) => r.tierSince),
      ],
    };
  }

  /**
   * Locks the customers (id order, like lockCustomers) and, in the same round trip, reads their
   * tier-qualifying points since `since` and their 12-month spend (`spendSql(idsRef, nowRef)`
   * yields `customer_id, spent`). Those sums come from the statement's snapshot, taken before
   * any lock wait: `fresh` says the locked row is the version that snapshot saw, i.e. no
   * points writer (every one updates the customer row) committed in between. When it is false
   * the caller must read the sums again.
   * Every part probes its table's index by customer (LATERAL, in the array's order), whatever
   * the statistics: a posting runs this as a generic plan (SINGLE_POSTING), and one made while
   * points_ledger was young filtered the tenant's whole 12-month ledger by customer — once per
   * customer of a group of sales.
   * With `skipLocked`, a customer another transaction holds is left out (not waited for). That
   * lock is FOR NO KEY UPDATE: it still excludes every other points writer (they lock FOR
   * UPDATE), but not a transaction that merely inserted a row referencing the customer (a
   * foreign key's KEY SHARE lock), which would otherwise make the customer look busy.
   */
  async lockCustomersWithTotals(
    tx: Tx,
    ids: string[],
    since: Date,
    now: Date,
    spendSql: (idsRef: string, nowRef: string) => string,
    skipLocked = false,
  ): Promise<(LoyaltyCustomerRow & { fresh: boolean; spend12m: string; points12m: string })[]> {
    if (!ids.length) return [];
    return tx.prepared(
      `SELECT l.id, l.status, l.tier_code, l.tier_since, l.points_balance::text, l.birth_month,
              coalesce(l.x = snap.x, false) AS fresh, coalesce(spend.spent, 0)::text AS spend12m,
              coalesce(earned.points, 0)::text AS points12m
         FROM unnest($2::uuid[]) WITH ORDINALITY AS k(id, ord)
        CROSS JOIN LATERAL (
                SELECT id, status, tier_code, tier_since, points_balance, birth_month, xmin::text AS x
                  FROM customers WHERE tenant_id = $1 AND id = k.id ${skipLocked ? 'FOR NO KEY UPDATE SKIP LOCKED' : 'FOR UPDATE'}) l
         LEFT JOIN LATERAL (SELECT xmin::text AS x FROM customers WHERE tenant_id = $1 AND id = k.id) snap ON true
         LEFT JOIN LATERAL (${spendSql('ARRAY[k.id]', '$4')}) spend ON true
         LEFT JOIN LATERAL (
                SELECT sum(points) AS points FROM points_ledger
                 WHERE tenant_id = $1 AND customer_id = k.id AND kind IN ('earn', 'reverse') AND created_at >= $3) earned ON true
        ORDER BY k.ord`,
      [tx.tenant, [...new Set(ids)].sort(), since, now],
    );
  }

  /**
   * Points earned (earn + positive adjustments are not tier-qualifying) since `since`, per
   * customer: one probe of each customer's ledger range, like lockCustomersWithTotals. With
   * `customer_id = ANY(…)` the planner filtered the tenant's whole 12-month ledger by customer
   * (28 ms for 165 customers in bench `tx-batch`, auto_explain).
   */
  async pointsEarnedSince(tx: Tx, ids: string[], since: Date): Promise<Map<string, number>> {
    if (!ids.length) return new Map();
    const rows = await tx.query<{ customer_id: string; points: string }>(
      `SELECT k.id AS customer_id, earned.points::text AS points
         FROM unnest($2::uuid[]) AS k(id)
        CROSS JOIN LATERAL (
                SELECT sum(points) AS points FROM points_ledger
                 WHERE tenant_id = $1 AND customer_id = k.id AND kind IN ('earn', 'reverse') AND created_at >= $3) earned
        WHERE earned.points IS NOT NULL`,
      [tx.tenant, [...new Set(ids)], since],
    );
    return new Map(rows.map((r) => [r.customer_id, Number(r.points)]));
  }

  async openLots(tx: Tx, ids: string[]): Promise<Map<string, OpenLot[]>> {
    const out = new Map<string, OpenLot[]>(ids.map((id) => [id, []]));
    if (!ids.length) return out;
    const rows = await tx.query<{
      id: string;
      customer_id: string;
      remaining: string;
      expires_at: Date | null;
      earned_at: Date;
      transaction_id: string | null;
    }>(
      `SELECT id, customer_id, remaining::text, expires_at, earned_at, transaction_id FROM points_lots
        WHERE tenant_id = $1 AND customer_id = ANY($2::uuid[]) AND remaining > 0`,
      [tx.tenant, ids],
    );
    for (const r of rows) {
      out.get(r.customer_id)!.push({
        id: r.id,
        remaining: Number(r.remaining),
        expiresAt: r.expires_at,
        earnedAt: r.earned_at,
        transactionId: r.transaction_id,
      });
    }
    return out;
  }

  async insertLedger(tx: Tx, rows: LedgerInsert[]): Promise<void> {
    await new WriteBatch().add(this.insertLedgerPart(rows)).run(tx);
  }

  insertLedgerPart(rows: LedgerInsert[]): SqlPart | undefined {
    if (!rows.length) return undefined;
    return {
      ctes: [
        {
          name: 'loyalty_ledger',
          sql: `INSERT INTO points_ledger (tenant_id, id, customer_id, kind, points, reason, source, external_id, actor, transaction_id, created_at)
       SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::uuid[], $11::timestamptz[])`,
        },
      ],
      params: [
        rows.map((r) => r.id),
        rows.map((r) => r.customerId),
        rows.map((r) => r.kind),
        rows.map((r) => r.points),
        rows.map((r) => r.reason),
        rows.map((r) => r.source),
        rows.map((r) => r.externalId),
        rows.map((r) => r.actor),
        rows.map((r) => r.transactionId),
        rows.map((r) => r.createdAt),
      ],
    };
  }

  async insertLots(tx: Tx, rows: LotInsert[]): Promise<void> {
    await new WriteBatch().add(this.insertLotsPart(rows)).run(tx);
  }

  insertLotsPart(rows: LotInsert[]): SqlPart | undefined {
    if (!rows.length) return undefined;
    return {
      ctes: [
        {
          name: 'loyalty_new_lots',
          sql: `INSERT INTO points_lots (tenant_id, id, customer_id, transaction_id, points, remaining, earned_at, expires_at)
       SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::bigint[], $6::bigint[], $7::timestamptz[], $8::timestamptz[])`,
        },
      ],
      params: [
        rows.map((r) => r.id),
        rows.map((r) => r.customerId),
        rows.map((r) => r.transactionId),
        rows.map((r) => r.points),
        rows.map((r) => r.remaining),
        rows.map((r) => r.earnedAt),
        rows.map((r) => r.expiresAt),
      ],
    };
  }

  async updateLots(tx: Tx, updates: { id: string; remaining: number }[]): Promise<void> {
    await new WriteBatch().add(this.updateLotsPart(updates)).run(tx);
  }

  /** Lots stored before this statement (a lot inserted in the same batch is not visible to it). */
  updateLotsPart(updates: { id: string; remaining: number }[]): SqlPart | undefined {
    if (!updates.length) return undefined;
    // The last update of a lot wins (a batch may touch one lot several times).
    const last = new Map(updates.map((u) => [u.id, u.remaining]));
    return {
      ctes: [
        {
          name: 'loyalty_lot_updates',
          sql: `UPDATE points_lots l SET remaining = v.remaining
         FROM unnest($2::uuid[], $3::bigint[]) AS v(id, remaining)
        WHERE l.tenant_id = $1 AND l.id = ANY($2::uuid[]) AND l.id = v.id`,
        },
      ],
      params: [[...last.keys()], [...last.values()]],
    };
  }

  async findLedgerByExternal(
    tx: Tx,
    kind: string,
    source: string,
    externalId: string,
  ): Promise<LedgerRow | undefined> {
    return tx.one<LedgerRow>(
      `SELECT ${LEDGER_COLUMNS} FROM points_ledger WHERE tenant_id = $1 AND kind = $2 AND source = $3 AND external_id = $4`,
      [tx.tenant, kind, source, externalId],
    );
  }

  async findLedger(tx: Tx, id: string): Promise<LedgerRow | undefined> {
    return tx.one<LedgerRow>(
      `SELECT ${LEDGER_COLUMNS} FROM points_ledger WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id],
    );
  }

  async ledgerPage(
    tx: Tx,
    customerId: string,
    after: { createdAt: string; id: string } | undefined,
    limit: number,
  ): Promise<LedgerRow[]> {
    return tx.query<LedgerRow>(
      `SELECT ${LEDGER_COLUMNS} FROM points_ledger
        WHERE tenant_id = $1 AND customer_id = $2 AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $5`,
      [tx.tenant, customerId, after?.createdAt ?? null, after?.id ?? null, limit + 1],
    );
  }

  async expiringSoon(
    tx: Tx,
    customerId: string,
    until: Date,
  ): Promise<{ points: string; expires_at: Date }[]> {
    return tx.query(
      `SELECT sum(remaining)::text AS points, expires_at FROM points_lots
        WHERE tenant_id = $1 AND customer_id = $2 AND remaining > 0 AND expires_at IS NOT NULL AND expires_at <= $3
        GROUP BY expires_at ORDER BY expires_at`,
      [tx.tenant, customerId, until],
    );
  }
}
