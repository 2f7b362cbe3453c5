import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { JobRegistry } from '../events/job-registry';
import { OutboxService } from '../events/outbox.service';
import { CustomerTenantSettingsService } from './customer-tenant-settings';

const DAY_MS = 86_400_000;

export interface RuleRunResult {
  profileStale: number;
  welcomeCalls: number;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * The automatic follow-up rules and the birthday greetings. Plain service methods, registered
 * as daily jobs; the events module's scheduler runs them per tenant and local day.
 */
@Injectable()
export class CustomerJobsService implements OnModuleInit {
  constructor(
    private readonly db: Database,
    private readonly settings: CustomerTenantSettingsService,
    private readonly jobs: JobRegistry,
    private readonly clock: Clock,
    private readonly outbox: OutboxService,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: 'customers.follow-up-rules',
      at: '06:00',
      run: ({ tenantId, now }) => this.runFollowUpRules(tenantId, now).then(() => undefined),
    });
    this.jobs.register({
      name: 'customers.birthdays',
      at: '09:00',
      run: ({ tenantId, day }) => this.emitBirthdays(tenantId, day).then(() => undefined),
    });
  }

  /**
   * Creates follow-ups for profiles not confirmed for N days (once per confirmation date) and
   * welcome calls N days after a new member's first purchase (once per customer). Idempotent.
   */
  async runFollowUpRules(tenantId: string, now: Date = this.clock.now()): Promise<RuleRunResult> {
    return this.db.withTenant(tenantId, async (tx) => {
      const settings = await this.settings.get(tx);
      const profileStale = await this.profileStale(tx, now, settings.profileConfirmDays);
      const welcomeCalls =
        settings.welcomeCallDays === null
          ? 0
          : await this.welcomeCalls(tx, now, settings.welcomeCallDays);
      return { profileStale, welcomeCalls };
    });
  }

  /**
   * `customer.birthday` events for active customers born on this tenant-local day (29 Feb on
   * 28 Feb in common years). The scheduler runs it once per tenant and day.
   */
  async emitBirthdays(tenantId: string, day: string): Promise<number> {
    const [year, month, date] = day.split('-').map(Number);
    const includeLeapDay = month === 2 && date === 28 && !isLeapYear(year);
    return this.db.withTenant(tenantId, (tx) =>
      this.outbox.recordSelected(tx, 'customer.birthday', 'customer', {
        sql: `SELECT c.id, c.id::text,
                     jsonb_build_object('customerId', c.id, 'memberNo', c.member_no, 'day', $4::text, 'birthYear', c.birth_year)
                FROM customers c
               WHERE c.tenant_id = $1 AND c.status = 'active' AND c.birth_month = $2
                 AND (c.birth_day = $3 OR ($5 AND c.birth_day = 29))`,
        params: [tenantId, month, date, day, includeLeapDay],
      }),
    );
  }

  private async profileStale(tx: Tx, now: Date, days: number): Promise<number> {
    return tx.count(
      `INSERT INTO customer_follow_ups (tenant_id, id, customer_id, reason, due_at, source, source_key, created_at)
       SELECT c.tenant_id, kehu_uuid7(), c.id, $3, $2::timestamptz + interval '7 days', 'rule:profile_stale',
              'profile_stale:' || c.id || ':' || to_char(coalesce(c.confirmed_at, c.created_at), 'YYYYMMDD'), $2
         FROM customers c
        WHERE c.tenant_id = $1 AND c.status = 'active'
          AND coalesce(c.confirmed_at, c.created_at) < $2::timestamptz - make_interval(days => $4)
       ON CONFLICT (tenant_id, source_key) WHERE source_key IS NOT NULL DO NOTHING`,
      [
        tx.tenant,
        now,
        `Profile not confirmed for ${days} days: check and update it with the customer`,
        days,
      ],
    );
  }

  /** First purchase = the customer's earliest `transaction.created` event (the transactions feature records it). */
  private async welcomeCalls(tx: Tx, now: Date, days: number): Promise<number> {
    // One pass over recent purchase events (the events table has no per-customer index).
    return tx.count(
      `WITH first_purchase AS (
         SELECT e.customer_id, min(e.created_at) AS at FROM events e
          WHERE e.tenant_id = $1 AND e.type = 'transaction.created' AND e.customer_id IS NOT NULL AND e.created_at >= $4::timestamptz
          GROUP BY e.customer_id
       )
       INSERT INTO customer_follow_ups (tenant_id, id, customer_id, reason, due_at, source, source_key, created_at)
       SELECT c.tenant_id, kehu_uuid7(), c.id, 'Welcome call after the first purchase',
              f.at + make_interval(days => $3), 'rule:welcome_call', 'welcome_call:' || c.id, $2
         FROM first_purchase f
         JOIN customers c ON c.tenant_id = $1 AND c.id = f.customer_id
        WHERE c.status = 'active' AND c.created_at >= $4::timestamptz
       ON CONFLICT (tenant_id, source_key) WHERE source_key IS NOT NULL DO NOTHING`,
      [tx.tenant, now, days, new Date(now.getTime() - 90 * DAY_MS)],
    );
  }
}
