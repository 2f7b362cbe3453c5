import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Database } from '../database/database.service';
import { JobRegistry } from './job-registry';
import { daysDue, localTime } from './schedule-calendar';
import { ScheduledRunsRepository } from './scheduled-runs.repository';

const LEASE_MS = 30 * 60 * 1000;
const MAX_ATTEMPTS = 5;

/**
 * Runs every registered daily job once per (job, tenant, tenant-local day) at its local time.
 * Planning inserts one ledger row per owed day (the primary key makes it idempotent across
 * workers); running leases rows with SKIP LOCKED, so N workers share the work and a crashed
 * worker's run is retried after its lease. Time comes from the Clock, so tests drive it.
 */
@Injectable()
export class JobScheduler {
  private readonly logger = new Logger('JobScheduler');

  constructor(
    private readonly database: Database,
    private readonly runs: ScheduledRunsRepository,
    private readonly registry: JobRegistry,
    private readonly clock: Clock,
  ) {}

  /** Plans owed runs for every tenant and runs all that are due; returns how many ran. */
  async tick(): Promise<{ planned: number; ran: number; failed: number }> {
    const jobs = this.registry.list();
    const totals = { planned: 0, ran: 0, failed: 0 };
    if (!jobs.length) return totals;
    const tenants = await this.database.withSystem((tx) => this.runs.tenants(tx));
    for (const tenant of tenants) {
      const now = this.clock.now();
      const local = localTime(now, tenant.time_zone);
      totals.planned += await this.database.withTenant(tenant.id, async (tx) => {
        const last = await this.runs.lastPlannedDays(tx);
        const owed = jobs.flatMap((job) =>
          daysDue(last.get(job.name), local, job.at).map((day) => ({ job: job.name, day })),
        );
        return this.runs.plan(tx, owed, now);
      });
      const names = jobs.map((j) => j.name);
      for (;;) {
        const started = this.clock.now();
        const run = await this.database.withTenant(tenant.id, (tx) =>
          this.runs.claim(tx, started, new Date(started.getTime() + LEASE_MS), names),
        );
        if (!run) break;
        try {
          await this.registry
            .get(run.job_name)!
            .run({ tenantId: tenant.id, day: run.day, now: started });
          await this.database.withTenant(tenant.id, (tx) =>
            this.runs.finish(tx, run, this.clock.now()),
          );
          totals.ran++;
        } catch (error) {
          totals.failed++;
          const message = error instanceof Error ? error.message : String(error);
          this.logger.error(
            `job ${run.job_name} for tenant ${tenant.id} day ${run.day} failed (attempt ${run.attempts}): ${message}`,
          );
          const retryAt =
            run.attempts < MAX_ATTEMPTS
              ? new Date(this.clock.now().getTime() + 60_000 * 2 ** run.attempts)
              : undefined;
          await this.database.withTenant(tenant.id, (tx) =>
            this.runs.fail(tx, run, message, retryAt),
          );
        }
      }
    }
    return totals;
  }
}
