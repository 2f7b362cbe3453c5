import { Injectable } from '@nestjs/common';
import { actorOf, type Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { fromMinorUnits } from '../common/money';
import { decodeCursor, PageQuery, pageLimit, toPage } from '../common/pagination';
import { isUuid, uuid7 } from '../common/uuid7';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { OutboxService } from '../events/outbox.service';
import { CustomerRefs } from './customer-refs';
import { CustomerLoyaltyModel } from './dto/customer-loyalty.model';
import {
  AdjustmentInput,
  PointsChangeModel,
  PointsEntryModel,
  PointsLedgerPageModel,
  RedemptionInput,
} from './dto/points.input';
import { baseTier, tierByCode } from './loyalty-program';
import { LoyaltyProgramService } from './loyalty-program.service';
import { LoyaltyJobsRepository } from './loyalty-jobs.repository';
import { LedgerRow, LoyaltyCustomerRow, LoyaltyRepository } from './loyalty.repository';
import { LoyaltyService } from './loyalty.service';
import { consumeLots, expiryFor, newLotRemaining, nextTier } from './points-math';

const DAY_MS = 24 * 3600 * 1000;

export function toEntryModel(row: LedgerRow): PointsEntryModel {
  return {
    id: row.id,
    customerId: row.customer_id,
    kind: row.kind,
    points: Number(row.points),
    reason: row.reason,
    source: row.source,
    externalId: row.external_id,
    actor: row.actor,
    transactionId: row.transaction_id,
    createdAt: row.created_at.toISOString(),
  };
}

/** A customer's points account as callers use it: read, redeem, adjust, ledger. */
@Injectable()
export class PointsAccountService {
  constructor(
    private readonly database: Database,
    private readonly repository: LoyaltyRepository,
    private readonly jobsRepository: LoyaltyJobsRepository,
    private readonly programs: LoyaltyProgramService,
    private readonly loyalty: LoyaltyService,
    private readonly refs: CustomerRefs,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  async view(principal: Principal, customerId: string): Promise<CustomerLoyaltyModel> {
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const id = await this.requireCustomer(tx, customerId);
      return this.viewIn(tx, id);
    });
  }

  /** The loyalty block of a customer, inside a caller's transaction (GraphQL field too). */
  async viewIn(tx: Tx, customerId: string): Promise<CustomerLoyaltyModel> {
    const now = this.clock.now();
    const context = await this.programs.load(tx);
    const rows = await this.repository.findCustomers(tx, [customerId]);
    const row = rows[0];
    if (!row) throw DomainError.notFound('Customer');
    const { program } = context;
    const tier = row.tier_code ? tierByCode(program, row.tier_code) : baseTier(program);
    const next = nextTier(program, tier);
    const spend = await this.loyalty.spend12m(tx, [customerId], now);
    const points = await this.repository.pointsEarnedSince(
      tx,
      [customerId],
      new Date(now.getTime() - 365 * DAY_MS),
    );
    const expiring = await this.repository.expiringSoon(
      tx,
      customerId,
      new Date(now.getTime() + 30 * DAY_MS),
    );
    const spend12m = spend.get(customerId) ?? 0n;
    const points12m = points.get(customerId) ?? 0;
    let progress = null;
    if (next) {
      const shares: number[] = [];
      if (next.qualifySpend12m !== null)
        shares.push(Number((spend12m * 10000n) / next.qualifySpend12m) / 100);
      if (next.qualifyPoints !== null) shares.push((points12m / next.qualifyPoints) * 100);
      progress = {
        spend12m: fromMinorUnits(spend12m, program.currency),
        qualifySpend12m:
          next.qualifySpend12m === null
            ? null
            : fromMinorUnits(next.qualifySpend12m, program.currency),
        points12m,
        qualifyPoints: next.qualifyPoints,
        percent: Math.min(100, Math.max(0, Math.round(Math.max(...shares) * 100) / 100)),
      };
    }
    return {
      tier: { code: tier.code, name: tier.name },
      tierSince: row.tier_since ? row.tier_since.toISOString() : null,
      nextTier: next ? { code: next.code, name: next.name } : null,
      progress,
      points: {
        balance: Number(row.points_balance),
        expiringSoon: expiring.map((e) => ({
          points: Number(e.points),
          expiresAt: e.expires_at.toISOString(),
        })),
      },
    };
  }

  async ledger(
    principal: Principal,
    customerId: string,
    query: PageQuery,
  ): Promise<PointsLedgerPageModel> {
    const limit = pageLimit(query);
    const after = decodeCursor(query.cursor);
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const id = await this.requireCustomer(tx, customerId);
      return toPage(await this.repository.ledgerPage(tx, id, after, limit), limit, toEntryModel);
    });
  }

  /** Spends points FIFO; never below zero, whatever runs concurrently (the customer row is locked). */
  async redeem(
    principal: Principal,
    customerId: string,
    input: RedemptionInput,
  ): Promise<{ change: PointsChangeModel; replayed: boolean }> {
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const id = await this.requireCustomer(tx, customerId);
      const [row] = await this.repository.lockCustomers(tx, [id]);
      const source = principal.subject;
      const existing = await this.repository.findLedgerByExternal(
        tx,
        'redeem',
        source,
        input.externalId,
      );
      if (existing) return this.replay(existing, row, id, -input.points);
      const balance = Number(row.points_balance);
      if (balance < input.points) {
        throw new DomainError(
          'insufficient_points',
          `The balance is ${balance} points; ${input.points} were asked for.`,
          {
            extensions: { balance, requested: input.points },
          },
        );
      }
      return {
        change: await this.spend(
          tx,
          principal,
          row,
          'redeem',
          -input.points,
          input.reason,
          input.externalId,
        ),
        replayed: false,
      };
    });
  }

  async adjust(
    principal: Principal,
    customerId: string,
    input: AdjustmentInput,
  ): Promise<{ change: PointsChangeModel; replayed: boolean }> {
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const id = await this.requireCustomer(tx, customerId);
      const [row] = await this.repository.lockCustomers(tx, [id]);
      if (input.externalId) {
        const existing = await this.repository.findLedgerByExternal(
          tx,
          'adjust',
          principal.subject,
          input.externalId,
        );
        if (existing) return this.replay(existing, row, id, input.points);
      }
      const balance = Number(row.points_balance);
      if (input.points < 0 && balance + input.points < 0) {
        throw new DomainError(
          'insufficient_points',
          `The balance is ${balance} points; a deduction of ${-input.points} would make it negative.`,
          {
            extensions: { balance, requested: -input.points },
          },
        );
      }
      return {
        change: await this.spend(
          tx,
          principal,
          row,
          'adjust',
          input.points,
          input.reason,
          input.externalId ?? null,
        ),
        replayed: false,
      };
    });
  }

  private replay(
    existing: LedgerRow,
    row: LoyaltyCustomerRow,
    customerId: string,
    points: number,
  ): { change: PointsChangeModel; replayed: boolean } {
    if (existing.customer_id !== customerId || Number(existing.points) !== points) {
      throw new DomainError(
        'idempotency_key_reuse',
        'This externalId was already used for a different points change.',
      );
    }
    return {
      change: { entry: toEntryModel(existing), pointsBalance: Number(row.points_balance) },
      replayed: true,
    };
  }

  /** Appends one redeem/adjust entry and moves lots and the cached balance with it. */
  private async spend(
    tx: Tx,
    principal: Principal,
    row: LoyaltyCustomerRow,
    kind: 'redeem' | 'adjust',
    points: number,
    reason: string,
    externalId: string | null,
  ): Promise<PointsChangeModel> {
    const now = this.clock.now();
    const context = await this.programs.load(tx);
    const balance = Number(row.points_balance);
    if (points < 0) {
      const lots = await this.repository.openLots(tx, [row.id]);
      await this.repository.updateLots(tx, consumeLots(lots.get(row.id) ?? [], -points).updates);
    } else {
      await this.repository.insertLots(tx, [
        {
          id: uuid7(),
          customerId: row.id,
          transactionId: null,
          points,
          remaining: newLotRemaining(balance, points),
          earnedAt: now,
          expiresAt: expiryFor(now, context.program.expiryMonths),
        },
      ]);
    }
    const entryId = uuid7();
    await this.repository.insertLedger(tx, [
      {
        id: entryId,
        customerId: row.id,
        kind,
        points,
        reason,
        source: principal.subject,
        externalId,
        actor: actorOf(principal),
        transactionId: null,
        createdAt: now,
      },
    ]);
    await this.repository.updateCustomerCaches(tx, [
      {
        id: row.id,
        balance: balance + points,
        tierCode: row.tier_code ?? baseTier(context.program).code,
        tierSince: row.tier_since ?? now,
      },
    ]);
    await this.outbox.record(tx, {
      type: kind === 'redeem' ? 'points.redeemed' : 'points.adjusted',
      customerId: row.id,
      payload: { customerId: row.id, points, balance: balance + points, reason, externalId },
    });
    const entry = await this.repository.findLedger(tx, entryId);
    return { entry: toEntryModel(entry!), pointsBalance: balance + points };
  }

  /** Customers whose cached balance differs from their ledger sum or open lots (empty = all good). */
  async checkBalances(tenantId: string) {
    return this.database.withTenant(tenantId, (tx) => this.jobsRepository.balanceDifferences(tx));
  }

  private async requireCustomer(tx: Tx, customerId: string): Promise<string> {
    if (!isUuid(customerId)) throw DomainError.notFound('Customer');
    const customer = await this.refs.resolve(tx, { id: customerId });
    if (!customer || customer.status === 'erased') throw DomainError.notFound('Customer');
    return customer.id;
  }
}
