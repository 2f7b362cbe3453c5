import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';

export interface ScheduledRunRow {
  job_name: string;
  day: string;
  attempts: number;
}

/** The run ledger of daily jobs: one row per (tenant, job, tenant-local day). */
@Injectable()
export class ScheduledRunsRepository {
  async tenants(system: Tx): Promise<{ id: string; time_zone: string }[]> {
    return system.query(`SELECT id, time_zone FROM tenants ORDER BY id`);
  }

  async lastPlannedDays(tx: Tx): Promise<Map<string, string>> {
    const rows = await tx.query<{ job_name: string; day: string }>(
      `SELECT job_name, max(day)::text AS day FROM scheduled_job_runs WHERE tenant_id = $1 GROUP BY job_name`,
      [tx.tenant],
    );
    return new Map(rows.map((r) => [r.job_name, r.day]));
  }

  /** ON CONFLICT DO NOTHING: planning twice (two workers, a retried tick) cannot double a run. */
  async plan(tx: Tx, runs: { job: string; day: string }[], now: Date): Promise<number> {
    if (!runs.length) return 0;
    return tx.count(
      `INSERT INTO scheduled_job_runs (tenant_id, job_name, day, run_after)
       SELECT $1, r.job_name, r.day, $4 FROM unnest($2::text[], $3::date[]) AS r(job_name, day)
       ON CONFLICT (tenant_id, job_name, day) DO NOTHING`,
      [tx.tenant, runs.map((r) => r.job), runs.map((r) => r.day), now],
    );
  }

  /** Leases the oldest due run of the tenant; a run whose worker died becomes due when its lease ends. */
  async claim(
    tx: Tx,
    now: Date,
    leaseUntil: Date,
    jobNames: string[],
  ): Promise<ScheduledRunRow | undefined> {
    return tx.one<ScheduledRunRow>(
      `UPDATE scheduled_job_runs r SET status = 'running', attempts = r.attempts + 1, locked_until = $3, started_at = $2
         FROM (SELECT job_name, day FROM scheduled_job_runs
                WHERE tenant_id = $1 AND job_name = ANY ($4::text[])
                  AND ((status = 'pending' AND run_after <= $2) OR (status = 'running' AND locked_until < $2))
                ORDER BY day, job_name
                LIMIT 1
                FOR UPDATE SKIP LOCKED) due
        WHERE r.tenant_id = $1 AND r.job_name = due.job_name AND r.day = due.day
       RETURNING r.job_name, r.day::text AS day, r.attempts`,
      [tx.tenant, now, leaseUntil, jobNames],
    );
  }

  async finish(tx: Tx, run: ScheduledRunRow, now: Date): Promise<void> {
    await tx.query(
      `UPDATE scheduled_job_runs SET status = 'done', finished_at = $4, locked_until = NULL, last_error = NULL
        WHERE tenant_id = $1 AND job_name = $2 AND day = $3::date`,
      [tx.tenant, run.job_name, run.day, now],
    );
  }

  async fail(
    tx: Tx,
    run: ScheduledRunRow,
    error: string,
    retryAt: Date | undefined,
  ): Promise<void> {
    await tx.query(
      `UPDATE scheduled_job_runs SET status = $4, run_after = COALESCE($5, run_after), locked_until = NULL, last_error = $6
        WHERE tenant_id = $1 AND job_name = $2 AND day = $3::date`,
      [
        tx.tenant,
        run.job_name,
        run.day,
        retryAt ? 'pending' : 'failed',
        retryAt ?? null,
        error.slice(0, 1000),
      ],
    );
  }
}
