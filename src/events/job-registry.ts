import { Injectable } from '@nestjs/common';

export interface JobRunContext {
  tenantId: string;
  /** The tenant-local calendar day the run is for, YYYY-MM-DD. */
  day: string;
  /** The (injectable) clock's time when the run started. */
  now: Date;
}

export interface ScheduledJob {
  /** Unique, e.g. `loyalty.points-expiry`. A run is idempotent per (job, tenant, day). */
  name: string;
  /** Tenant-local time of day the job becomes due, HH:MM (e.g. birthdays at 09:00). */
  at: string;
  run(context: JobRunContext): Promise<void>;
}

/**
 * Features register their daily jobs here; the events module's scheduler runs each job once
 * per tenant and tenant-local day, catching up after downtime.
 */
@Injectable()
export class JobRegistry {
  private readonly jobs = new Map<string, ScheduledJob>();

  register(job: ScheduledJob): void {
    if (!/^\d{2}:\d{2}$/.test(job.at)) throw new Error(`job ${job.name}: "at" must be HH:MM`);
    this.jobs.set(job.name, job);
  }

  list(): ScheduledJob[] {
    return [...this.jobs.values()];
  }

  get(name: string): ScheduledJob | undefined {
    return this.jobs.get(name);
  }
}
