import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { Database } from '../database/database.service';
import { EventsRepository } from './events.repository';

/**
 * Events per sequencing transaction. Small enough that a backlog is handed to the dispatcher
 * in steps of well under a second: with 5,000 the 0.5-2.5 s sequencing transactions of a 100k
 * backlog overlapped badly with delivery (bench `webhooks`: 2,177/s → 2,842/s with 1,000).
 */
const BATCH = 1000;

/**
 * Turns committed outbox rows into the tenant's ordered stream: moves them from event_queue to
 * event_seqs and creates the webhook deliveries for them in the same transaction, so every sequenced event has exactly
 * its deliveries and the feed and webhooks agree on order.
 */
@Injectable()
export class EventSequencer {
  constructor(
    private readonly database: Database,
    private readonly events: EventsRepository,
    private readonly clock: Clock,
  ) {}

  /** Sequences everything committed so far for one tenant; returns how many events got a seq. */
  async sequenceTenant(tenantId: string): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.database.withTenant(tenantId, async (tx) => {
        // OLTP batches: JIT compiling costs more than it saves. No bitmap scans: with a backlog
        // the planner (estimating a short queue) read the whole queue index, dead entries
        // included, then sorted, for every 1,000 events (41 ms, bench `tx-batch`, when the
        // queue was a partial index of events); an ordered index scan reads the first 1,000
        // and kills the dead entries it passes. No seq scans: on a short queue the planner
        // took one over the TID scan of assignSeqs and tested every row against the batch's
        // 1,000 ctids (9 ms a batch).
        await tx.query(
          `SELECT set_config('jit', 'off', true), set_config('enable_bitmapscan', 'off', true),
                  set_config('enable_seqscan', 'off', true)`,
        );
        if (!(await this.events.trySequencerLock(tx))) return 0;
        const lastSeq = await this.events.lockStream(tx);
        const assigned = await this.events.assignSeqs(tx, lastSeq, BATCH);
        if (assigned) await this.events.fanOut(tx, lastSeq, lastSeq + assigned, this.clock.now());
        return assigned;
      });
      total += count;
      if (count < BATCH) return total;
    }
  }

  async sequenceAll(): Promise<number> {
    let total = 0;
    for (const tenantId of await this.events.tenantsWithUnsequencedEvents())
      total += await this.sequenceTenant(tenantId);
    return total;
  }
}
