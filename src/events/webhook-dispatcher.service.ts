import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../common/clock';
import { PiiCrypto } from '../common/crypto/pii-crypto.service';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database.service';
import { DeliveriesRepository, DeliveryOutcome, DeliveryRow } from './deliveries.repository';
import { nextAttemptAt, retryDelayMs } from './delivery-backoff';
import { ConsentAnswer, EventConsentPolicy } from './event-consent';
import { toEventModel } from './events.mapper';
import { EventBody, EventsRepository } from './events.repository';
import { OutboxService } from './outbox.service';
import { SendResult, WebhookSender } from './webhook-sender';
import { signingKeys, signWebhook } from './webhook-signature';
import { WebhookRow, WebhooksRepository } from './webhooks.repository';

const LEASE_MS = 10 * 60 * 1000;
const PER_WEBHOOK_CONCURRENCY = 64;

interface Target {
  row: WebhookRow;
  /** HMAC keys of the current (and, during a rotation, the previous) secret. */
  keys: Buffer[];
}

interface Job {
  delivery: DeliveryRow;
  target: Target;
  event: EventBody | undefined;
  /** Marketing consent for this event and subscriber, asked once for the whole batch. */
  consent: ConsentAnswer;
}

/**
 * Delivers claimed webhook deliveries: signs them (Standard Webhooks), POSTs them with a
 * timeout, and records each outcome with its retry time. One call handles one batch of one
 * tenant, so tenants never wait on each other's receivers (see EventsWorker).
 */
@Injectable()
export class WebhookDispatcher implements OnModuleDestroy {
  private readonly logger = new Logger('WebhookDispatcher');
  private readonly sender: WebhookSender;

  constructor(
    private readonly database: Database,
    private readonly deliveries: DeliveriesRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly events: EventsRepository,
    private readonly outbox: OutboxService,
    private readonly consent: EventConsentPolicy,
    private readonly crypto: PiiCrypto,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {
    this.sender = new WebhookSender(config.webhookAllowPrivate);
  }

  onModuleDestroy(): void {
    this.sender.close();
  }

  async tenantsWithWork(): Promise<string[]> {
    return this.database.withSystem((tx) => this.webhooks.tenantsWithActiveWebhooks(tx));
  }

  /** Claims, sends and settles one batch of the tenant's due deliveries; returns how many were claimed. */
  async dispatchTenant(tenantId: string, limit = 1000): Promise<number> {
    const now = this.clock.now();
    const jobs = await this.database.withTenant(tenantId, async (tx) => {
      // The claim's LIMIT-over-a-big-scan cost estimate crosses jit_above_cost: on a server
      // built with LLVM each batch then spent ~0.6 s compiling a plan that runs in ~20 ms.
      await tx.query('SET LOCAL jit = off');
      const claimed = await this.deliveries.claim(
        tx,
        now,
        new Date(now.getTime() + LEASE_MS),
        limit,
      );
      if (!claimed.length) return [];
      const events = new Map(
        (await this.events.byIds(tx, [...new Set(claimed.map((d) => d.event_id))])).map((e) => [
          e.id,
          e,
        ]),
      );
      const targets = new Map<string, Target>();
      for (const row of await this.webhooks.activeForTenant(tx))
        targets.set(row.id, { row, keys: signingKeys(this.secretsOf(row, now)) });
      return claimed.map((delivery) => ({
        delivery,
        target: targets.get(delivery.webhook_id)!,
        event: events.get(delivery.event_id),
        consent: true as ConsentAnswer,
      }));
    });
    if (!jobs.length) return 0;
    await this.checkConsent(tenantId, jobs);

    const byWebhook = new Map<string, Job[]>();
    for (const job of jobs) {
      const list = byWebhook.get(job.delivery.webhook_id);
      if (list) list.push(job);
      else byWebhook.set(job.delivery.webhook_id, [job]);
    }
    const outcomes: DeliveryOutcome[] = [];
    const streaks = new Map<string, { successes: number; failures: number }>();
    await Promise.all(
      [...byWebhook.entries()].map(async ([webhookId, webhookJobs]) => {
        const streak = { successes: 0, failures: 0 };
        streaks.set(webhookId, streak);
        let circuitOpen = false;
        let next = 0;
        const worker = async () => {
          while (next < webhookJobs.length) {
            const job = webhookJobs[next++];
            if (circuitOpen) {
              outcomes.push(this.handBack(job.delivery));
              continue;
            }
            const outcome = await this.attempt(job);
            outcomes.push(outcome.outcome);
            if (!outcome.outcome.attempted) continue;
            if (outcome.outcome.status === 'succeeded') {
              streak.successes++;
              streak.failures = 0;
            } else {
              streak.failures++;
              // A receiver that is down or hanging would make every remaining delivery wait out
              // the timeout; hand them back and let the retry schedule probe it instead.
              if (outcome.unreachable) circuitOpen = true;
            }
          }
        };
        await Promise.all(
          Array.from({ length: Math.min(PER_WEBHOOK_CONCURRENCY, webhookJobs.length) }, worker),
        );
      }),
    );

    await this.database.withTenant(tenantId, async (tx) => {
      await tx.query('SET LOCAL jit = off');
      await this.deliveries.settle(tx, outcomes);
      for (const [webhookId, streak] of streaks) {
        if (!streak.successes && !streak.failures) continue;
        const row = await this.webhooks.recordOutcomes(
          tx,
          webhookId,
          streak.successes,
          streak.failures,
        );
        if (row?.active && row.consecutive_failures >= this.config.webhookDisableAfterFailures) {
          const reason = `${row.consecutive_failures} consecutive failed deliveries`;
          await this.webhooks.disable(tx, webhookId, reason, this.clock.now());
          await this.outbox.record(tx, {
            type: 'webhook.disabled',
            subjectType: 'webhook',
            subjectId: webhookId,
            payload: {
              webhookId,
              url: row.url,
              reason,
              consecutiveFailures: row.consecutive_failures,
            },
          });
          this.logger.warn(
            `tenant ${tenantId}: webhook ${webhookId} disabled after ${row.consecutive_failures} failures`,
          );
        }
      }
    });
    return jobs.length;
  }

  /** One consent question for every marketing event of the batch (a throw fails them all). */
  private async checkConsent(tenantId: string, jobs: Job[]): Promise<void> {
    const asked = jobs.filter((job) => job.event && this.consent.isMarketing(job.event.type));
    if (!asked.length) return;
    let answers: ConsentAnswer[];
    try {
      answers = await this.consent.allowsMany(
        asked.map(({ event, target }) => ({
          tenantId,
          eventId: event!.id,
          type: event!.type,
          customerId: event!.customer_id,
          payload: event!.payload,
          subscriber: { kind: 'webhook' as const, id: target.row.id },
        })),
      );
    } catch (error) {
      answers = asked.map(() => error as Error);
    }
    asked.forEach((job, i) => (job.consent = answers[i]));
  }

  /** Both secrets sign while a rotation overlaps, so receivers can switch at their own pace. */
  private secretsOf(row: WebhookRow, now: Date): string[] {
    const secrets = [this.crypto.decrypt(row.secret)];
    if (
      row.previous_secret &&
      row.previous_secret_expires_at &&
      row.previous_secret_expires_at > now
    ) {
      secrets.push(this.crypto.decrypt(row.previous_secret));
    }
    return secrets;
  }

  private handBack(delivery: DeliveryRow): DeliveryOutcome {
    const now = this.clock.now();
    return {
      id: delivery.id,
      status: 'pending',
      attempted: false,
      nextAttemptAt: new Date(now.getTime() + retryDelayMs(1)),
      statusCode: null,
      latencyMs: null,
      error: null,
      attemptedAt: now,
    };
  }

  private async attempt(job: Job): Promise<{ outcome: DeliveryOutcome; unreachable: boolean }> {
    const { delivery, target, event } = job;
    let result: SendResult;
    try {
      if (!event) throw new Error('event no longer exists');
      if (job.consent instanceof Error) throw job.consent;
      const allowed = job.consent;
      if (!allowed) {
        const now = this.clock.now();
        return {
          outcome: {
            id: delivery.id,
            status: 'suppressed',
            attempted: false,
            nextAttemptAt: now,
            statusCode: null,
            latencyMs: null,
            error: 'no marketing consent',
            attemptedAt: now,
          },
          unreachable: false,
        };
      }
      const timestamp = Math.floor(this.clock.now().getTime() / 1000);
      const body = JSON.stringify({
        type: event.type,
        timestamp: new Date(timestamp * 1000).toISOString(),
        data: toEventModel({ ...event, seq: delivery.event_seq }, target.row.pii_allowed),
      });
      result = await this.sender.send({
        url: target.row.url,
        body,
        timeoutMs: this.config.webhookTimeoutMs,
        headers: {
          'webhook-id': event.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(target.keys, event.id, timestamp, body),
        },
      });
    } catch (error) {
      // A poison event (unreadable, or a consent check that throws) fails like a bad response:
      // logged, retried on the schedule, dead after 24 h; the rest of the batch goes on.
      result = {
        ok: false,
        statusCode: null,
        latencyMs: 0,
        error: `could not prepare delivery: ${(error as Error).message}`,
        unreachable: false,
      };
    }
    const now = this.clock.now();
    if (result.ok) {
      return {
        outcome: {
          id: delivery.id,
          status: 'succeeded',
          attempted: true,
          nextAttemptAt: now,
          statusCode: result.statusCode,
          latencyMs: result.latencyMs,
          error: null,
          attemptedAt: now,
        },
        unreachable: false,
      };
    }
    const retryAt = nextAttemptAt(delivery.created_at, now, delivery.attempts + 1);
    return {
      outcome: {
        id: delivery.id,
        status: retryAt ? 'pending' : 'dead',
        attempted: true,
        nextAttemptAt: retryAt ?? now,
        statusCode: result.statusCode,
        latencyMs: result.latencyMs,
        error: result.error?.slice(0, 500) ?? null,
        attemptedAt: now,
      },
      unreachable: result.unreachable,
    };
  }
}
