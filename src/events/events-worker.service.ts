import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { EventSequencer } from './event-sequencer.service';
import { JobScheduler } from './job-scheduler.service';
import { WebhookDispatcher } from './webhook-dispatcher.service';

const SEQUENCER_INTERVAL_MS = 100;
const DISPATCH_INTERVAL_MS = 100;
const SCHEDULER_INTERVAL_MS = 15_000;
/** Tenants delivered at the same time; each has its own loop so a slow receiver holds up only its tenant. */
const PARALLEL_TENANTS = 8;
/** Concurrent claim loops per tenant (SKIP LOCKED keeps them apart; per-customer order still holds). */
const LANES_PER_TENANT = 3;

/**
 * The background loops: sequencer, webhook dispatcher and scheduler. They run in the API
 * process when KEHU_RUN_WORKER=true (the default) and in `npm run worker`. Test apps keep them
 * off unless a test asks, and drive the same services directly instead.
 */
@Injectable()
export class EventsWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EventsWorker');
  private stopped = true;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly busyTenants = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    private readonly sequencer: EventSequencer,
    private readonly dispatcher: WebhookDispatcher,
    private readonly scheduler: JobScheduler,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.runWorker) this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop('sequencer', SEQUENCER_INTERVAL_MS, () => this.sequencer.sequenceAll());
    this.loop('dispatcher', DISPATCH_INTERVAL_MS, () => this.dispatchRound());
    this.loop('scheduler', SCHEDULER_INTERVAL_MS, () => this.scheduler.tick());
  }

  /** Stops scheduling new work and waits for what is in flight (deliveries settle their rows). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.running.add(promise);
    void promise.finally(() => this.running.delete(promise)).catch(() => undefined);
    return promise;
  }

  private loop(name: string, intervalMs: number, work: () => Promise<unknown>): void {
    const run = async () => {
      if (this.stopped) return;
      try {
        await this.track(work());
      } catch (error) {
        this.logger.error(
          `${name} loop: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (this.stopped) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void run();
      }, intervalMs);
      this.timers.add(timer);
    };
    void run();
  }

  /** Starts a delivery loop for each tenant with webhooks that has free lanes; does not wait for them. */
  private async dispatchRound(): Promise<void> {
    for (const tenantId of await this.dispatcher.tenantsWithWork()) {
      const busy = this.busyTenants.get(tenantId) ?? 0;
      if (busy >= LANES_PER_TENANT || (busy === 0 && this.busyTenants.size >= PARALLEL_TENANTS))
        continue;
      this.busyTenants.set(tenantId, busy + 1);
      void this.track(this.drainTenant(tenantId));
    }
  }

  private async drainTenant(tenantId: string): Promise<void> {
    try {
      while (!this.stopped && (await this.dispatcher.dispatchTenant(tenantId)) > 0);
    } catch (error) {
      this.logger.error(
        `deliveries for tenant ${tenantId}: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      const left = (this.busyTenants.get(tenantId) ?? 1) - 1;
      if (left > 0) this.busyTenants.set(tenantId, left);
      else this.busyTenants.delete(tenantId);
    }
  }
}
