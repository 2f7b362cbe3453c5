import { JobScheduler } from '../src/events/job-scheduler.service';
import { JobRegistry, JobRunContext } from '../src/events/job-registry';
import { clockOf } from './support/events-helpers';
import { TestApp, TenantClient } from './support/test-app';

describe('scheduler: daily jobs per tenant-local day', () => {
  let t: TestApp;
  let tenant: TenantClient;
  let helsinki: TenantClient;
  const runs: JobRunContext[] = [];
  let failNext = 0;

  beforeAll(async () => {
    t = await TestApp.start();
    t.app.get(JobRegistry).register({
      name: 'test.birthday',
      at: '09:00',
      run: async (context) => {
        if (failNext > 0) {
          failNext--;
          throw new Error('receiver of greetings down');
        }
        runs.push(context);
      },
    });
    tenant = await t.tenant();
    helsinki = await t.tenant();
    await t.sql(`UPDATE tenants SET time_zone = 'Europe/Helsinki' WHERE id = $1`, [
      helsinki.tenantId,
    ]);
  });
  afterAll(() => t.close());

  const tick = () => t.app.get(JobScheduler).tick();
  const daysOf = (who: TenantClient) =>
    runs.filter((r) => r.tenantId === who.tenantId).map((r) => r.day);

  it('runs at 09:00 tenant-local time, once per day, and catches up after downtime', async () => {
    const clock = clockOf(t);
    clock.set('2026-11-23T00:30:00Z'); // 08:30 in Shanghai, 02:30 in Helsinki
    await tick();
    expect(runs).toHaveLength(0);

    clock.set('2026-11-23T01:00:00Z'); // 09:00 in Shanghai
    await tick();
    await tick(); // a second tick (or a second worker) does not run it again
    expect(daysOf(tenant)).toEqual(['2026-11-23']);
    expect(daysOf(helsinki)).toEqual([]);

    clock.set('2026-11-23T07:00:00Z'); // 09:00 in Helsinki
    await Promise.all([tick(), tick()]);
    expect(daysOf(helsinki)).toEqual(['2026-11-23']);
    expect(daysOf(tenant)).toEqual(['2026-11-23']);

    clock.set('2026-11-26T03:00:00Z'); // down for three days; 11:00 in Shanghai, 05:00 in Helsinki
    await tick();
    expect(daysOf(tenant)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26']);
    expect(daysOf(helsinki)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25']);
    expect(runs.find((r) => r.day === '2026-11-24')!.now.toISOString()).toBe(
      '2026-11-26T03:00:00.000Z',
    );
    expect(
      await t.count('scheduled_job_runs', `job_name = 'test.birthday' AND status = 'done'`),
    ).toBe(7);
  });

  it('retries a failing run later instead of losing the day', async () => {
    const clock = clockOf(t);
    clock.set('2026-11-27T01:30:00Z');
    failNext = 2; // Shanghai's 27th and Helsinki's 26th (owed since 09:00 there yesterday) both fail once
    const before = runs.length;
    // Other modules' jobs (e.g. feedback's overdue check) run in the same ticks; count only ours.
    expect((await tick()).failed).toBe(2);
    expect(runs.length).toBe(before);
    const [row] = await t.sql<{ status: string; last_error: string; attempts: number }>(
      `SELECT status, last_error, attempts FROM scheduled_job_runs WHERE tenant_id = $1 AND job_name = 'test.birthday' AND day = '2026-11-27'`,
      [tenant.tenantId],
    );
    expect(row).toMatchObject({
      status: 'pending',
      last_error: 'receiver of greetings down',
      attempts: 1,
    });
    await tick(); // not due again yet
    expect(runs.length).toBe(before);
    clock.advance(3 * 60 * 1000);
    expect((await tick()).failed).toBe(0);
    expect(runs.length).toBe(before + 2);
    expect(daysOf(tenant)).toContain('2026-11-27');
    expect(daysOf(helsinki)).toContain('2026-11-26');
  });
});
