import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { JobRegistry } from '../events/job-registry';
import { OutboxEvent, OutboxService } from '../events/outbox.service';
import { CustomerExtensions } from '../customers/customer-extensions';
import { LoyaltyProgramService } from './loyalty-program.service';
import { baseTier, tierByCode } from './loyalty-program';
import { LoyaltyJobsRepository } from './loyalty-jobs.repository';
import { LoyaltyRepository } from './loyalty.repository';
import { LoyaltyService } from './loyalty.service';
import { consumeLots, qualifiedTier } from './points-math';

const DAY_MS = 24 * 3600 * 1000;

/** Daily loyalty work (run by the events scheduler) and the customer-merge hook. */
@Injectable()
export class LoyaltyJobs implements OnModuleInit {
  constructor(
    private readonly database: Database,
    private readonly repository: LoyaltyRepository,
    private readonly jobsRepository: LoyaltyJobsRepository,
    private readonly programs: LoyaltyProgramService,
    private readonly loyalty: LoyaltyService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly jobs: JobRegistry,
    private readonly extensions: CustomerExtensions,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: 'loyalty.points-expiry',
      at: '00:30',
      run: async ({ tenantId, now }) => void (await this.expirePoints(tenantId, now)),
    });
    this.jobs.register({
      name: 'loyalty.tier-review',
      at: '01:00',
      run: async ({ tenantId, now }) => void (await this.reviewTiers(tenantId, now)),
    });
    this.extensions.registerMergeHandler(
      'loyalty',
      (tx, survivorId, sourceIds) => this.merge(tx, survivorId, sourceIds),
      (tx, survivorId, sourceIds) =>
        this.jobsRepository.refreshBalances(tx, [survivorId, ...sourceIds]),
    );
  }

  /** Expires due lots (ledger `expire` entries) and announces lots expiring within 30 days, once each. */
  async expirePoints(
    tenantId: string,
    now: Date = this.clock.now(),
  ): Promise<{ expired: number; warned: number }> {
    return this.database.withTenant(tenantId, async (tx) => {
      const expired = await this.jobsRepository.expireDueLots(tx, now);
      const warned = await this.jobsRepository.markExpiringLots(
        tx,
        now,
        new Date(now.getTime() + 30 * DAY_MS),
      );
      const events: OutboxEvent[] = [
        ...expired.map((e) => ({
          type: 'points.expired',
          customerId: e.customer_id,
          payload: {
            customerId: e.customer_id,
            points: Number(e.points),
            balance: Number(e.balance),
          },
        })),
        ...warned.map((w) => ({
          type: 'points.expiring',
          customerId: w.customer_id,
          payload: {
            customerId: w.customer_id,
            points: Number(w.points),
            expiresAt: w.expires_at.toISOString(),
          },
        })),
      ];
      await this.outbox.recordMany(tx, events);
      return { expired: expired.length, warned: warned.length };
    });
  }

  /** Downgrades customers whose last 12 months no longer qualify for their tier. */
  async reviewTiers(
    tenantId: string,
    now: Date = this.clock.now(),
  ): Promise<{ downgraded: number }> {
    return this.database.withTenant(tenantId, async (tx) => {
      const { program } = await this.programs.load(tx);
      const customers = await this.jobsRepository.customersAboveBase(tx, baseTier(program).code);
      if (!customers.length) return { downgraded: 0 };
      const ids = customers.map((c) => c.id);
      const spend = await this.loyalty.spend12m(tx, ids, now);
      const points = await this.repository.pointsEarnedSince(
        tx,
        ids,
        new Date(now.getTime() - 365 * DAY_MS),
      );
      const changes: { id: string; balance: number; tierCode: string; tierSince: Date }[] = [];
      const events: OutboxEvent[] = [];
      for (const customer of customers) {
        const current = tierByCode(program, customer.tier_code);
        const qualified = qualifiedTier(
          program,
          spend.get(customer.id) ?? 0n,
          points.get(customer.id) ?? 0,
        );
        // Unknown codes (a tier removed from the program) fall to what the customer qualifies for.
        if (qualified.rank < current.rank || current.code !== customer.tier_code) {
          changes.push({
            id: customer.id,
            balance: Number(customer.points_balance),
            tierCode: qualified.code,
            tierSince: now,
          });
          events.push({
            type: 'tier.changed',
            customerId: customer.id,
            payload: {
              customerId: customer.id,
              from: customer.tier_code,
              to: qualified.code,
              direction: 'down',
            },
          });
        }
      }
      await this.repository.updateCustomerCaches(tx, changes);
      await this.outbox.recordMany(tx, events);
      return { downgraded: changes.length };
    });
  }

  /**
   * Merge: ledger and lots move to the survivor, whose balance becomes the ledger sum; if a
   * source owed points (negative balance), the survivor's lots pay it; the survivor keeps the
   * higher of the tiers.
   */
  private async merge(tx: Tx, survivorId: string, sourceIds: string[]): Promise<void> {
    const { program } = await this.programs.load(tx);
    const before = await this.repository.lockCustomers(tx, [survivorId, ...sourceIds]);
    await this.jobsRepository.moveToSurvivor(tx, survivorId, sourceIds);
    const [survivor] = await this.repository.findCustomers(tx, [survivorId]);
    const balance = Number(survivor.points_balance);
    const lots = (await this.repository.openLots(tx, [survivorId])).get(survivorId) ?? [];
    const open = lots.reduce((sum, lot) => sum + lot.remaining, 0);
    if (open > Math.max(balance, 0))
      await this.repository.updateLots(tx, consumeLots(lots, open - Math.max(balance, 0)).updates);
    const best = before
      .filter((c) => c.tier_code)
      .map((c) => ({ tier: tierByCode(program, c.tier_code), since: c.tier_since }))
      .sort((a, b) => b.tier.rank - a.tier.rank)[0];
    await this.repository.updateCustomerCaches(tx, [
      {
        id: survivorId,
        balance,
        tierCode: best?.tier.code ?? baseTier(program).code,
        tierSince: best?.since ?? this.clock.now(),
      },
    ]);
  }
}
