import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { isoInstant } from '../common/iso-instant';
import { fromMinorUnits } from '../common/money';
import { uuid7 } from '../common/uuid7';
import type { Tx } from '../database/tx';
import { WriteBatch } from '../database/write-batch';
import { OutboxEvent, OutboxService } from '../events/outbox.service';
import { actorPrincipal } from '../customers/customer-identity-claims.service';
import { CustomerRefs, identityCount, ResolvedCustomer } from '../loyalty/customer-refs';
import type { ProgramContext } from '../loyalty/loyalty-program.service';
import { LoyaltyService } from '../loyalty/loyalty.service';
import { baseTier } from '../loyalty/loyalty-program';
import { pointsForSale } from '../loyalty/points-math';
import { localMonth } from '../loyalty/points-posting';
import type { PointsPosting, PostingResult } from '../loyalty/points-posting';
import { CustomerStatsRepository } from './customer-stats.repository';
import { checkReturns, ReturnWork } from './transaction-returns';
import type { PreparedTransaction } from './transaction-validation';
import { TransactionRow, TransactionsRepository } from './transactions.repository';

export type IngestOutcome =
  | { index: number; status: 'created'; id: string; body: Record<string, unknown> }
  | { index: number; status: 'duplicate'; id: string; body: Record<string, unknown> }
  | { index: number; status: 'error'; error: DomainError };

/** A receipt of the set being ingested: what the return check uses, and the ingest's own marks. */
interface Working extends ReturnWork {
  /** The stored receipt this one repeats (same key, same body). */
  duplicateOf?: TransactionRow;
  /** The first item of this set with the same key. */
  repeatOf?: Working;
  /** Left for a later transaction: its customer was busy (`deferBusy`). */
  deferred?: boolean;
}

function keyReuse(w: Working): DomainError {
  return new DomainError(
    'idempotency_key_reuse',
    `Transaction ${w.t.source}/${w.t.externalId} was already posted with a different body.`,
  );
}

/**
 * Stores a set of sales and returns in one database transaction with a fixed number of
 * statements whatever the count (UNNEST inserts, one stats upsert, one ledger insert): the
 * single endpoint is a set of one, the batch endpoint up to 1,000. A new sale costs four
 * statements after the program read: customer look-up, key check, customer lock with 12-month
 * totals, and one statement of every write — the receipt included, so each row is written
 * once with its final points and answer (no insert-then-update). Each item succeeds or fails
 * alone; a failed item leaves no row.
 */
@Injectable()
export class TransactionIngest {
  constructor(
    private readonly repository: TransactionsRepository,
    private readonly stats: CustomerStatsRepository,
    private readonly loyalty: LoyaltyService,
    private readonly refs: CustomerRefs,
    private readonly outbox: OutboxService,
  ) {}

  async ingest(
    tx: Tx,
    context: ProgramContext,
    items: PreparedTransaction[],
    actor: string,
  ): Promise<IngestOutcome[]> {
    return (await this.run(tx, context, items, actor, false)).outcomes;
  }

  /**
   * `ingest` without waiting for customers another transaction holds: their items come back in
   * `deferred` (input order), nothing written for them, to be ingested again once this
   * transaction has committed (LoyaltyService.postAvailable says why).
   */
  async ingestAvailable(
    tx: Tx,
    context: ProgramContext,
    items: PreparedTransaction[],
    actor: string,
  ): Promise<{ outcomes: IngestOutcome[]; deferred: PreparedTransaction[] }> {
    return this.run(tx, context, items, actor, true);
  }

  private async run(
    tx: Tx,
    context: ProgramContext,
    items: PreparedTransaction[],
    actor: string,
    deferBusy: boolean,
  ): Promise<{ outcomes: IngestOutcome[]; deferred: PreparedTransaction[] }> {
    const work: Working[] = items.map((t) => ({
      t,
      id: uuid7(),
      customerId: null,
      originalId: null,
    }));
    await this.resolveCustomers(tx, work, actor);

    // 1. Keys stored before (retries) and repeated within the set answer as duplicates.
    const fresh = await this.withoutDuplicates(
      tx,
      work.filter((w) => !w.error),
    );

    // 2. Returns checked against their sales (which may be in this same set).
    await checkReturns(
      this.repository,
      tx,
      fresh.filter((w) => w.t.type === 'return' && !w.t.unlinked),
      fresh.filter((w) => w.t.type === 'sale'),
    );
    for (const w of fresh.filter((c) => c.t.unlinked && c.customerId))
      w.reversal = this.unlinkedReversal(context, w);
    const checked = fresh.filter((w) => !w.error);

    // 3. Points (locks the customers), then every write in one statement (WriteBatch): the
    // receipts with their final points and answer (each row written once), items, ledger,
    // lots, balances, stats, events.
    const postings: PointsPosting[] = checked
      .filter((w) => w.customerId && (w.t.type === 'sale' || w.reversal))
      .map((w) => ({
        transactionId: w.id,
        customerId: w.customerId!,
        type: w.t.type,
        occurredAt: w.t.occurredAt,
        // The prepared lines are SaleLines already (sku, category, amountMinor): no copy.
        lines: w.t.type === 'sale' ? w.t.lines : [],
        netSpendMinor: w.t.type === 'sale' ? w.t.totalMinor : -w.t.totalMinor,
        currencyExponent: w.t.exponent,
        reversal: w.reversal,
        source: w.t.source,
        actor,
      }));
    const writes = new WriteBatch();
    const posted = deferBusy
      ? await this.loyalty.postAvailable(tx, context, postings, writes)
      : { results: await this.loyalty.post(tx, context, postings, writes), busy: undefined };
    const results = new Map(posted.results.map((r) => [r.transactionId, r]));
    // A busy customer's items wait as a whole (a return in the set goes with its sale: the
    // return belongs to the sale's customer).
    const busy = posted.busy;
    if (busy?.size)
      for (const w of checked) if (w.customerId && busy.has(w.customerId)) w.deferred = true;
    const stored = busy?.size ? checked.filter((w) => !w.deferred) : checked;
    const bodies = new Map(stored.map((w) => [w, this.body(w, results.get(w.id))]));
    // Returns of anonymous sales carry no customer: no stats, no points.
    writes
      .add(
        this.repository.insertPart(
          stored.map((w) => ({
            id: w.id,
            t: w.t,
            customerId: w.customerId,
            originalId: w.originalId,
            points: results.get(w.id)?.points ?? 0,
            response: bodies.get(w)!,
          })),
        ),
      )
      .add(
        this.stats.applyPart(
          stored
            .filter((w) => w.customerId)
            .map((w) => ({
              customerId: w.customerId!,
              type: w.t.type,
              occurredAt: w.t.occurredAt,
              storeId: w.t.storeId,
              totalMinor: w.t.totalMinor,
              itemCount: w.t.itemCount,
              lines: w.t.lines,
            })),
        ),
      )
      .add(
        this.outbox.recordManyPart(
          stored.map((w) => this.event(w, results.get(w.id))),
          'transaction_events',
        ),
      );
    await writes.run(tx);

    const outcomes: IngestOutcome[] = [];
    const deferred: PreparedTransaction[] = [];
    for (const w of work) {
      // A repeat of a deferred item waits with it and is answered like it then.
      if ((w.repeatOf ?? w).deferred) deferred.push(w.t);
      else outcomes.push(this.outcome(w, bodies));
    }
    return { outcomes, deferred };
  }

  private outcome(w: Working, bodies: Map<Working, Record<string, unknown>>): IngestOutcome {
    // A repeat within the set answers like its first occurrence (same body) or is a reuse.
    const first = w.repeatOf ?? w;
    if (w.repeatOf && w.t.hash !== first.t.hash)
      return { index: w.t.index, status: 'error', error: keyReuse(w) };
    if (first.error) return { index: w.t.index, status: 'error', error: first.error };
    if (first.duplicateOf) {
      const body = first.duplicateOf.response ?? {};
      return { index: w.t.index, status: 'duplicate', id: first.duplicateOf.id, body };
    }
    return {
      index: w.t.index,
      status: w.repeatOf ? 'duplicate' : 'created',
      id: first.id,
      body: bodies.get(first)!,
    };
  }

  /**
   * Sets `duplicateOf` (same body) or a key-reuse error on the items whose key is stored, and
   * `repeatOf` on the later occurrences of a key within the set; returns the rest, to store.
   */
  private async withoutDuplicates(tx: Tx, candidates: Working[]): Promise<Working[]> {
    const first = new Map<string, Working>();
    for (const w of candidates) {
      const key = `${w.t.source}\u0000${w.t.externalId}`;
      const earlier = first.get(key);
      if (earlier) w.repeatOf = earlier;
      else first.set(key, w);
    }
    const unique = [...first.values()];
    const existing = await this.repository.findByKeys(
      tx,
      unique.map((w) => w.t),
    );
    if (!existing.length) return unique;
    const byKey = new Map(existing.map((row) => [`${row.source}\u0000${row.external_id}`, row]));
    return unique.filter((w) => {
      const row = byKey.get(`${w.t.source}\u0000${w.t.externalId}`);
      if (!row) return true;
      if (row.request_hash === w.t.hash) w.duplicateOf = row;
      else w.error = keyReuse(w);
      return false;
    });
  }

  private async resolveCustomers(tx: Tx, work: Working[], actor: string): Promise<void> {
    const own = (w: Working) => w.t.type === 'sale' || w.t.unlinked === true;
    const named = work.filter((w) => w.t.customer && own(w));
    // A customer named by several identities may need the match rules (a merge), so those go
    // first: the plain ids below then resolve to the survivor.
    const found = new Map<Working, ResolvedCustomer | undefined>();
    const principal = actorPrincipal(tx.tenant, actor);
    for (const w of named.filter((n) => identityCount(n.t.customer!) > 1)) {
      try {
        found.set(w, await this.refs.resolve(tx, w.t.customer!, principal));
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'identity_conflict') throw error;
        w.error = error;
      }
    }
    const byId = await this.refs.resolveIds(
      tx,
      named.filter((w) => w.t.customer!.id).map((w) => w.t.customer!.id!),
    );
    // A return belongs to its sale's customer (set in checkReturns), an unlinked one to its own reference.
    for (const w of named) {
      if (w.error) continue;
      const ref = w.t.customer!;
      const customer = found.has(w)
        ? found.get(w)
        : ref.id
          ? byId.get(ref.id)
          : await this.refs.resolve(tx, ref);
      if (!customer || customer.status === 'erased' || customer.status === 'archived') {
        w.error = DomainError.field(
          'customer',
          'not_found',
          'No active customer matches customer.',
        );
      } else {
        w.customerId = customer.id;
      }
    }
  }

  /**
   * An unlinked return reverses what the same lines would earn today at the base rate (no tier
   * or birthday bonus: the sale is unknown), expressed as a reversal of a sale of that amount.
   */
  private unlinkedReversal(context: ProgramContext, w: Working): PointsPosting['reversal'] {
    const program = context.program;
    const points = pointsForSale(program, w.t.lines, {
      occurredAt: w.t.occurredAt,
      tier: baseTier(program),
      birthMonth: null,
      localMonth: localMonth(w.t.occurredAt, context.timeZone),
      currencyExponent: w.t.exponent,
    });
    return {
      saleTransactionId: w.id,
      salePoints: points,
      saleTotalMinor: w.t.totalMinor,
      returnedBeforeMinor: 0n,
      returnedNowMinor: w.t.totalMinor,
    };
  }

  private body(w: Working, result: PostingResult | undefined): Record<string, unknown> {
    return {
      id: w.id,
      type: w.t.type,
      source: w.t.source,
      externalId: w.t.externalId,
      customerId: w.customerId,
      pointsEarned: result?.points ?? 0,
      pointsBalance: result ? result.pointsBalance : null,
      tier: result ? result.tier : null,
      tierChanged: result?.tierChanged ?? false,
    };
  }

  private event(w: Working, result: PostingResult | undefined): OutboxEvent {
    return {
      type: w.t.type === 'sale' ? 'transaction.created' : 'transaction.returned',
      customerId: w.customerId,
      subjectType: 'transaction',
      subjectId: w.id,
      payload: {
        transactionId: w.id,
        source: w.t.source,
        externalId: w.t.externalId,
        customerId: w.customerId,
        storeId: w.t.storeId,
        occurredAt: isoInstant(w.t.occurredAt),
        total: fromMinorUnits(w.t.totalMinor, w.t.currency),
        currency: w.t.currency,
        originalId: w.originalId,
        points: result?.points ?? 0,
      },
    };
  }
}
