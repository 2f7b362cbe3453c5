import { Injectable } from '@nestjs/common';
import { uuid7 } from '../common/uuid7';
import type { Tx } from '../database/tx';
import { SqlPart, WriteBatch } from '../database/write-batch';

/** What every event of a set-based write shares; each gets its own id and customer. */
export type OutboxEventTemplate = Omit<OutboxEvent, 'customerId'>;

export interface OutboxEvent {
  /** e.g. customer.created, transaction.created, tier.changed */
  type: string;
  customerId?: string | null;
  subjectType?: string;
  subjectId?: string;
  /** Ids and changed data a subscriber needs; personal data only where unavoidable. */
  payload: Record<string, unknown>;
}

/**
 * Writes event rows inside the caller's transaction, so an event exists exactly when its
 * change committed (STYLE rule 8). Delivery is the events module's job.
 */
@Injectable()
export class OutboxService {
  async record(tx: Tx, event: OutboxEvent): Promise<string> {
    const id = uuid7();
    await tx.query(
      `INSERT INTO events (tenant_id, id, type, customer_id, subject_type, subject_id, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        tx.tenant,
        id,
        event.type,
        event.customerId ?? null,
        event.subjectType ?? null,
        event.subjectId ?? null,
        event.payload,
      ],
    );
    return id;
  }

  /**
   * Many events in one statement (batch ingest). Ids come from uuid7() here rather than
   * kehu_uuid7() per row in SQL, which costs noticeably at a thousand rows a batch.
   */
  async recordMany(tx: Tx, events: OutboxEvent[]): Promise<void> {
    await new WriteBatch().add(this.recordManyPart(events)).run(tx);
  }

  /** The same insert as a part of a caller's WriteBatch (`name` keeps two parts apart). */
  recordManyPart(events: OutboxEvent[], name = 'outbox_events'): SqlPart | undefined {
    if (!events.length) return undefined;
    return {
      ctes: [
        {
          name,
          sql: `INSERT INTO events (tenant_id, id, type, customer_id, subject_type, subject_id, payload)
       SELECT $1, e.id, e.type, e.customer_id, e.subject_type, e.subject_id, e.payload
         FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::jsonb[])
              AS e(id, type, customer_id, subject_type, subject_id, payload)`,
        },
      ],
      params: [
        events.map(() => uuid7()),
        events.map((e) => e.type),
        events.map((e) => e.customerId ?? null),
        events.map((e) => e.subjectType ?? null),
        events.map((e) => e.subjectId ?? null),
        events.map((e) => JSON.stringify(e.payload)),
      ],
    };
  }

  /**
   * One event per customer id that `customers.sql` yields (its first column), written by a
   * single INSERT … SELECT inside PostgreSQL: no ids or rows pass through Node, so a diff of
   * hundreds of thousands of customers costs one statement. Ids are UUIDv7 from
   * `kehu_uuid7()`; `created_at` is the transaction's time like every other outbox row, so the
   * sequencer orders them after commit exactly as it does `record`'s. The payload is shared, so
   * it must not hold personal data about any one customer (put that in per-customer events).
   * `customers.sql` uses `$1…$n` for its own `customers.params`. Returns the events written.
   */
  async recordForCustomers(
    tx: Tx,
    event: OutboxEventTemplate,
    customers: { sql: string; params: unknown[] },
  ): Promise<number> {
    const n = customers.params.length;
    return tx.count(
      `INSERT INTO events (tenant_id, id, type, customer_id, subject_type, subject_id, payload)
       SELECT $${n + 1}::uuid, kehu_uuid7(), $${n + 2}::text, src.customer_id, $${n + 3}::text, $${n + 4}::text, $${n + 5}::jsonb
         FROM (${customers.sql}) AS src (customer_id)`,
      [
        ...customers.params,
        tx.tenant,
        event.type,
        event.subjectType ?? null,
        event.subjectId ?? null,
        JSON.stringify(event.payload),
      ],
    );
  }
}
