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
 * Puts the events a data-modifying CTE returned (`RETURNING tenant_id, created_at, id`) in the
 * sequencer's queue. Every insert into `events` goes with it, in the same statement: an event
 * missing from the queue never gets a seq, so the feed and webhooks would never see it.
 */
const QUEUE_INSERT = `INSERT INTO event_queue (tenant_id, created_at, id) SELECT tenant_id, created_at, id FROM`;

/**
 * Writes event rows inside the caller's transaction, so an event exists exactly when its
 * change committed (STYLE rule 8). Delivery is the events module's job.
 */
@Injectable()
export class OutboxService {
  async record(tx: Tx, event: OutboxEvent): Promise<string> {
    const id = uuid7();
    await tx.query(
      `WITH event AS (
         INSERT INTO events (tenant_id, id, type, customer_id, subject_type, subject_id, payload)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING tenant_id, created_at, id
       )
       ${QUEUE_INSERT} event`,
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
              AS e(id, type, customer_id, subject_type, subject_id, payload)
       RETURNING tenant_id, created_at, id`,
        },
        { name: `${name}_queue`, sql: `${QUEUE_INSERT} ${name}` },
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
   * One event of `type` per row that `rows.sql` yields as (customer_id, subject_id, payload),
   * for events whose payload differs per customer (e.g. birthdays), in one INSERT … SELECT
   * like `recordForCustomers`. `rows.sql` uses `$1…$n` for its own `rows.params`. Returns the
   * events written.
   */
  async recordSelected(
    tx: Tx,
    type: string,
    subjectType: string | null,
    rows: { sql: string; params: unknown[] },
  ): Promise<number> {
    const n = rows.params.length;
    return tx.count(
      `WITH event AS (
         INSERT INTO events (tenant_id, id, type, customer_id, subject_type, subject_id, payload)
         SELECT $${n + 1}::uuid, kehu_uuid7(), $${n + 2}::text, src.customer_id, $${n + 3}::text, src.subject_id, src.payload
           FROM (${rows.sql}) AS src (customer_id, subject_id, payload)
         RETURNING tenant_id, created_at, id
       )
       ${QUEUE_INSERT} event`,
      [...rows.params, tx.tenant, type, subjectType],
    );
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
    return this.recordSelected(tx, event.type, event.subjectType ?? null, {
      sql: `SELECT c.customer_id, $${n + 1}::text, $${n + 2}::jsonb FROM (${customers.sql}) AS c (customer_id)`,
      params: [...customers.params, event.subjectId ?? null, JSON.stringify(event.payload)],
    });
  }
}
