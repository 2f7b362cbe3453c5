import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AuthEvents } from '../../auth/auth-events';
import type { Principal } from '../../auth/principal';
import { DomainError } from '../../common/errors/domain-error';
import { isUuid, uuid7 } from '../../common/uuid7';
import { AppConfig } from '../../config/app-config';
import { Database } from '../../database/database.service';
import { ChainBreak, chainHash, ChainedEntry, findBreak, GENESIS_HASH } from './audit-chain';
import { AuditFilter, AuditRepository, AuditRow } from './audit.repository';
import type { AuditEntryInput } from './audit.types';

const FLUSH_INTERVAL_MS = 250;
const FLUSH_AT = 500;
const VERIFY_CHUNK = 5000;

interface Pending extends AuditEntryInput {
  id: string;
  occurredAt: Date;
}

/**
 * The audit log. `record` only queues the entry (a look-up must not wait for it); a timer
 * flushes the queue in one transaction per tenant, chaining each entry to its predecessor.
 * A failed flush keeps the entries for the next try, and shutdown flushes what is left, so a
 * graceful stop loses nothing.
 */
@Injectable()
export class AuditService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private queue: Pending[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly database: Database,
    private readonly repository: AuditRepository,
    private readonly config: AppConfig,
    private readonly authEvents: AuthEvents,
  ) {}

  get enabled(): boolean {
    return this.config.auditEnabled;
  }

  onModuleInit(): void {
    this.authEvents.subscribe((event) =>
      this.record({
        tenantId: event.tenantId,
        actorKind: event.actorKind,
        actorId: event.actorId,
        action: event.type === 'permission.denied' ? 'auth.denied' : 'auth.login',
        resource: event.resource,
        outcome:
          event.type === 'login.succeeded'
            ? 'success'
            : event.type === 'login.failed'
              ? 'failure'
              : 'denied',
        requestId: event.requestId,
        ip: event.ip,
        details: event.detail ? { detail: event.detail } : undefined,
      }),
    );
  }

  /** Queues one entry; never throws and never waits for the database. */
  record(entry: AuditEntryInput): void {
    if (!this.enabled || !isUuid(entry.tenantId)) return;
    this.queue.push({ ...entry, id: uuid7(), occurredAt: entry.occurredAt ?? new Date() });
    if (this.queue.length >= FLUSH_AT) void this.flush();
    else if (!this.timer && !this.stopped) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Convenience for services: the actor comes from the principal. */
  recordFor(
    principal: Principal,
    entry: Omit<AuditEntryInput, 'tenantId' | 'actorKind' | 'actorId'>,
  ): void {
    this.record({
      ...entry,
      tenantId: principal.tenantId,
      actorKind: principal.kind,
      actorId: principal.subject,
    });
  }

  /** Writes everything queued so far (tests call it before reading the log). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!this.queue.length) return;
    const batch = this.queue;
    this.queue = [];
    this.flushing = this.write(batch).finally(() => (this.flushing = undefined));
    await this.flushing;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // Retry a few times: a transient failure at shutdown should not drop entries.
    for (let attempt = 0; attempt < 5 && (this.queue.length || this.flushing); attempt++) {
      await this.flush();
      if (this.queue.length) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (this.queue.length)
      this.logger.error(`${this.queue.length} audit entries could not be written at shutdown`);
  }

  async list(principal: Principal, filter: AuditFilter): Promise<AuditRow[]> {
    return this.database.withTenant(principal.tenantId, (tx) => this.repository.list(tx, filter));
  }

  /** Recomputes the tenant's whole chain; a broken link is a 409 naming the first bad entry. */
  async verify(principal: Principal): Promise<{ ok: true; entries: number; lastHash: string }> {
    await this.flush();
    const result = await this.database.withTenant(principal.tenantId, async (tx) => {
      let last = { seq: 0, hash: GENESIS_HASH };
      let entries = 0;
      for (;;) {
        const rows = await this.repository.chunk(tx, last.seq, VERIFY_CHUNK);
        if (!rows.length) return { broken: null as ChainBreak | null, entries, last };
        const walked = findBreak(rows.map(toChained), last);
        if (walked.break) return { broken: walked.break, entries, last };
        entries += rows.length;
        last = walked.last;
      }
    });
    if (result.broken) {
      const b = result.broken;
      throw new DomainError(
        'conflict',
        `The audit chain is broken at entry ${b.seq} (${b.id}): ${b.reason.replace(/_/g, ' ')}.`,
        {
          extensions: { brokenAt: b, verifiedEntries: result.entries },
        },
      );
    }
    return { ok: true, entries: result.entries, lastHash: result.last.hash };
  }

  private async write(batch: Pending[]): Promise<void> {
    const byTenant = new Map<string, Pending[]>();
    for (const entry of batch) {
      const list = byTenant.get(entry.tenantId) ?? [];
      list.push(entry);
      byTenant.set(entry.tenantId, list);
    }
    for (const [tenantId, entries] of byTenant) {
      try {
        await this.database.withTenant(tenantId, async (tx) => {
          const last = (await this.repository.lockChain(tx)) ?? { seq: 0, hash: GENESIS_HASH };
          let prev = last;
          const chained = entries.map((e) => {
            const entry: ChainedEntry = {
              tenantId,
              seq: prev.seq + 1,
              id: e.id,
              occurredAt: e.occurredAt.toISOString(),
              actorKind: e.actorKind,
              actorId: e.actorId,
              action: e.action,
              resource: e.resource,
              customerIds: (e.customerIds ?? []).filter(isUuid).map((id) => id.toLowerCase()),
              fields: e.fields ?? [],
              outcome: e.outcome ?? 'success',
              requestId: e.requestId ?? null,
              ip: e.ip ?? null,
              details: e.details ?? null,
              prevHash: prev.hash,
            };
            const hash = chainHash(entry);
            prev = { seq: entry.seq, hash };
            return { ...entry, hash };
          });
          await this.repository.append(tx, chained);
        });
      } catch (error) {
        // Keep them for the next flush (in order, ahead of newer entries).
        this.queue = [...entries, ...this.queue];
        this.logger.error(`audit flush failed for tenant ${tenantId}: ${String(error)}`);
        if (!this.timer && !this.stopped) {
          this.timer = setTimeout(() => {
            this.timer = undefined;
            void this.flush();
          }, 1000);
          this.timer.unref();
        }
      }
    }
  }
}

export function toChained(row: AuditRow): ChainedEntry & { hash: string } {
  return {
    tenantId: row.tenant_id,
    seq: Number(row.seq),
    id: row.id,
    occurredAt: row.occurred_at.toISOString(),
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    action: row.action,
    resource: row.resource,
    customerIds: row.customer_ids,
    fields: row.fields,
    outcome: row.outcome,
    requestId: row.request_id,
    ip: row.ip,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
