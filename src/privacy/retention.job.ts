import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { JobRegistry } from '../events/job-registry';
import { AuditService } from './audit/audit.service';
import { ErasureService } from './erasure.service';

const BATCH = 200;

/**
 * Retention (tenant setting `privacy.retentionYears`, off when unset): customers with no
 * activity — profile change or purchase — for that many years are anonymised like an erasure,
 * one transaction per customer so one failure does not block the rest.
 */
@Injectable()
export class RetentionJob implements OnModuleInit {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly jobs: JobRegistry,
    private readonly database: Database,
    private readonly erasure: ErasureService,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.jobs.register({
      name: 'privacy.retention',
      at: '03:30',
      run: ({ tenantId, now }) => this.run(tenantId, now).then(() => undefined),
    });
  }

  /** Returns how many customers were anonymised. */
  async run(tenantId: string, now: Date): Promise<number> {
    let done = 0;
    for (;;) {
      const ids = await this.database.withTenant(tenantId, (tx) => this.candidates(tx, now));
      if (!ids.length) return done;
      for (const id of ids) {
        try {
          await this.database.withTenant(tenantId, async (tx) => {
            // Re-check under lock: the customer may have come back since the scan.
            const still = await this.candidates(tx, now, id);
            if (still.length) await this.erasure.erase(tx, id, now, 'retention');
          });
          this.audit.record({
            tenantId,
            actorKind: 'system',
            actorId: 'job:privacy.retention',
            action: 'privacy.retention',
            resource: 'customer',
            customerIds: [id],
          });
          done++;
        } catch (error) {
          this.logger.error(`retention of customer ${id} failed: ${String(error)}`);
          return done;
        }
      }
      if (ids.length < BATCH) return done;
    }
  }

  private async candidates(tx: Tx, now: Date, onlyId?: string): Promise<string[]> {
    const years = await tx.one<{ years: number | null }>(
      `SELECT (settings #>> '{privacy,retentionYears}')::int AS years FROM tenants WHERE id = $1`,
      [tx.tenant],
    );
    if (!years?.years || years.years < 1) return [];
    const hasTransactions = (
      await tx.one<{ found: boolean }>(
        `SELECT to_regclass('public.transactions') IS NOT NULL AS found`,
      )
    )?.found;
    // Last purchase counts as activity where the transactions module is installed.
    const lastPurchase = hasTransactions
      ? `(SELECT max(t.created_at) FROM transactions t WHERE t.tenant_id = c.tenant_id AND t.customer_id = c.id)`
      : 'NULL::timestamptz';
    const rows = await tx.query<{ id: string }>(
      `SELECT c.id FROM customers c
        WHERE c.tenant_id = $1 AND c.status IN ('active', 'archived') AND ($4::uuid IS NULL OR c.id = $4)
          AND GREATEST(c.updated_at, ${lastPurchase}) < $2::timestamptz - make_interval(years => $3)
        ORDER BY c.id LIMIT ${BATCH}
        ${onlyId ? 'FOR UPDATE OF c' : ''}`,
      [tx.tenant, now, years.years, onlyId ?? null],
    );
    return rows.map((r) => r.id);
  }
}
