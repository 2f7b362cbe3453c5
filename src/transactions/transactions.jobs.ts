import { Injectable, OnModuleInit } from '@nestjs/common';
import { Database } from '../database/database.service';
import { JobRegistry } from '../events/job-registry';
import { OutboxService } from '../events/outbox.service';
import { LoyaltyProgramService } from '../loyalty/loyalty-program.service';
import { CustomerStatsRepository } from './customer-stats.repository';

const DAY_MS = 24 * 3600 * 1000;

/** Daily: customers whose last purchase passed `lapsedAfterDays` (tenant setting, default 180) → customer.lapsed, once per lapse. */
@Injectable()
export class TransactionsJobs implements OnModuleInit {
  constructor(
    private readonly database: Database,
    private readonly stats: CustomerStatsRepository,
    private readonly programs: LoyaltyProgramService,
    private readonly outbox: OutboxService,
    private readonly jobs: JobRegistry,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: 'transactions.lapsed-customers',
      at: '02:00',
      run: async ({ tenantId, now }) => void (await this.markLapsed(tenantId, now)),
    });
  }

  async markLapsed(tenantId: string, now: Date): Promise<number> {
    return this.database.withTenant(tenantId, async (tx) => {
      const { lapsedAfterDays } = await this.programs.load(tx);
      const lapsed = await this.stats.markLapsed(
        tx,
        new Date(now.getTime() - lapsedAfterDays * DAY_MS),
        now,
      );
      await this.outbox.recordMany(
        tx,
        lapsed.map((row) => ({
          type: 'customer.lapsed',
          customerId: row.customer_id,
          payload: {
            customerId: row.customer_id,
            lastPurchaseAt: row.last_purchase_at.toISOString(),
            lapsedAfterDays,
          },
        })),
      );
      return lapsed.length;
    });
  }
}
