import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
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
import type { PreparedTransaction } from './transaction-validation';
import { TransactionRow, TransactionsRepository } from './transactions.repository';

export type IngestOutcome =
  | { index: number; status: 'created'; id: string; body: Record<string, unknown> }
  | { index: number; status: 'duplicate'; id: string; body: Record<string, unknown> }
  | { index: number; status: 'error'; error: DomainError };

interface Working {
  t: PreparedTransaction;
  id: string;
  customerId: string | null;
  originalId: string | null;
  reversal?: PointsPosting['reversal'];
  error?: DomainError;
  duplicateOf?: TransactionRow;
}

/**
 * Stores a set of sales and returns in one database transaction with a fixed number of
 * statements whatever the count (UNNEST inserts, ON CONFLICT for retries, one stats upsert,
 * one ledger insert): the single endpoint is a set of one, the batch endpoint up to 1,000.
 * A new sale costs four statements after the program read: customer look-up, receipt and
 * items, customer lock with 12-month totals, and one statement of every write.
 * Each item succeeds or fails alone; a failed item leaves no row.
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
    const work: Working[] = items.map((t) => ({
      t,
      id: uuid7(),
      customerId: null,
      originalId: null,
    }));
    await this.resolveCustomers(tx, work, actor);

    // 1. Claim the (source, externalId) keys; retries and concurrent copies fall out here.
    const candidates = work.filter((w) => !w.error);
    // 1–2. With their items, in the same statement (items of skipped keys are not written).
    const inserted = await this.repository.insertNewWithItems(
      tx,
      candidates.map((w) => ({ id: w.id, t: w.t, customerId: w.customerId })),
    );
    const notInserted = candidates.filter((w) => !inserted.has(w.id));
    if (notInserted.length) {
      const existing = await this.repository.findByKeys(
        tx,
        notInserted.map((w) => w.t),
      );
      const byKey = new Map(existing.map((row) => [`${row.source}\u0000${row.external_id}`, row]));
      for (const w of notInserted) {
        const row = byKey.get(`${w.t.source}\u0000${w.t.externalId}`);
        if (row && row.request_hash === w.t.hash) w.duplicateOf = row;
        else
          w.error = new DomainError(
            'idempotency_key_reuse',
            `Transaction ${w.t.source}/${w.t.externalId} was already posted with a different body.`,
          );
      }
    }
    const created = candidates.filter((w) => inserted.has(w.id));

    // 2. Returns checked against their sales (which may be in this same set).
    await this.checkReturns(
      tx,
      created.filter((w) => w.t.type === 'return' && !w.t.unlinked),
    );
    for (const w of created.filter((c) => c.t.unlinked && c.customerId))
      w.reversal = this.unlinkedReversal(context, w);
    const failed = created.filter((w) => w.error);
    await this.repository.deleteMany(
      tx,
      failed.map((w) => w.id),
    );
    const stored = created.filter((w) => !w.error);

    // 3. Points (locks the customers), stats, answers, events.
    const postings: PointsPosting[] = stored
      .filter((w) => w.customerId && (w.t.type === 'sale' || w.reversal))
      .map((w) => ({
        transactionId: w.id,
        customerId: w.customerId!,
        type: w.t.type,
        occurredAt: w.t.occurredAt,
        lines:
          w.t.type === 'sale'
            ? w.t.lines.map((l) => ({
                sku: l.sku,
                category: l.category,
                amountMinor: l.amountMinor,
              }))
            : [],
        netSpendMinor: w.t.type === 'sale' ? w.t.totalMinor : -w.t.totalMinor,
        currencyExponent: w.t.exponent,
        reversal: w.reversal,
        source: w.t.source,
        actor,
      }));
    // Every write from here on goes in one statement (WriteBatch): ledger, lots, balances,
    // answers, stats, events.
    const writes = new WriteBatch();
    const results = new Map(
      (await this.loyalty.post(tx, context, postings, writes)).map((r) => [r.transactionId, r]),
    );
    // Returns of anonymous sales carry no customer: no stats, no points.
    writes
      .add(
        this.repository.finishPart(
          stored.map((w) => ({
            id: w.id,
            customerId: w.customerId,
            originalId: w.originalId,
            points: results.get(w.id)?.points ?? 0,
            response: this.body(w, results.get(w.id)),
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

    return work.map((w): IngestOutcome => {
      if (w.error) return { index: w.t.index, status: 'error', error: w.error };
      if (w.duplicateOf) {
        // A copy of an item stored earlier in this same set has no stored answer yet.
        const sibling = stored.find((s) => s.id === w.duplicateOf!.id);
        const body =
          w.duplicateOf.response ?? (sibling ? this.body(sibling, results.get(sibling.id)) : {});
        return { index: w.t.index, status: 'duplicate', id: w.duplicateOf.id, body };
      }
      return {
        index: w.t.index,
        status: 'created',
        id: w.id,
        body: this.body(w, results.get(w.id)),
      };
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
    const points = pointsForSale(
      program,
      w.t.lines.map((l) => ({ sku: l.sku, category: l.category, amountMinor: l.amountMinor })),
      {
        occurredAt: w.t.occurredAt,
        tier: baseTier(program),
        birthMonth: null,
        localMonth: localMonth(w.t.occurredAt, context.timeZone),
        currencyExponent: w.t.exponent,
      },
    );
    return {
      saleTransactionId: w.id,
      salePoints: points,
      saleTotalMinor: w.t.totalMinor,
      returnedBeforeMinor: 0n,
      returnedNowMinor: w.t.totalMinor,
    };
  }

  /** A return names a stored sale of the same source and never takes back more than was sold per line. */
  private async checkReturns(tx: Tx, returns: Working[]): Promise<void> {
    if (!returns.length) return;
    const originals = await this.repository.lockOriginals(
      tx,
      returns.map((w) => ({ source: w.t.source, externalId: w.t.originalExternalId! })),
    );
    const byKey = new Map(originals.map((o) => [`${o.source}\u0000${o.external_id}`, o]));
    const saleIds = originals.filter((o) => o.type === 'sale').map((o) => o.id);
    // One connection: queries run one after another.
    const saleItems = await this.repository.items(tx, saleIds);
    const earlier = await this.repository.returnsOf(
      tx,
      saleIds,
      returns.map((w) => w.id),
    );
    const earlierItems = await this.repository.items(
      tx,
      earlier.map((r) => r.id),
    );
    // Per sale: what is left to return, per SKU (quantity and amount) and in total.
    const left = new Map<
      string,
      { total: bigint; returned: bigint; skus: Map<string, { quantity: number; amount: bigint }> }
    >();
    for (const id of saleIds) {
      const sale = originals.find((o) => o.id === id)!;
      left.set(id, { total: BigInt(sale.total_minor), returned: 0n, skus: new Map() });
    }
    for (const item of saleItems) {
      const skus = left.get(item.transaction_id)!.skus;
      const entry = skus.get(item.sku) ?? { quantity: 0, amount: 0n };
      entry.quantity += Number(item.quantity);
      entry.amount += BigInt(item.amount_minor);
      skus.set(item.sku, entry);
    }
    const returnOf = new Map(earlier.map((r) => [r.id, r.original_id!]));
    for (const r of earlier) left.get(r.original_id!)!.returned += BigInt(r.total_minor);
    for (const item of earlierItems) {
      const entry = left.get(returnOf.get(item.transaction_id)!)!.skus.get(item.sku);
      if (entry) {
        entry.quantity -= Number(item.quantity);
        entry.amount -= BigInt(item.amount_minor);
      }
    }
    for (const w of returns.sort((a, b) => a.t.index - b.t.index)) {
      const sale = byKey.get(`${w.t.source}\u0000${w.t.originalExternalId}`);
      if (!sale || sale.type !== 'sale') {
        w.error = DomainError.field(
          'originalExternalId',
          'sale_not_found',
          `No sale ${w.t.originalExternalId} from ${w.t.source} to return.`,
        );
        continue;
      }
      if (sale.currency !== w.t.currency) {
        w.error = DomainError.field(
          'currency',
          'currency_mismatch',
          `The sale was in ${sale.currency}.`,
        );
        continue;
      }
      const state = left.get(sale.id)!;
      const problems = w.t.lines.flatMap((line, i) => {
        const entry = state.skus.get(line.sku);
        if (!entry)
          return [
            {
              field: `items[${i}].sku`,
              code: 'not_in_sale',
              message: `SKU ${line.sku} is not on the sale.`,
            },
          ];
        if (line.quantity > entry.quantity + 1e-9 || line.amountMinor > entry.amount) {
          return [
            {
              field: `items[${i}]`,
              code: 'exceeds_sold',
              message: `Returns of ${line.sku} would exceed what was sold.`,
            },
          ];
        }
        return [];
      });
      // Several lines of one SKU in one return are checked together.
      const perSku = new Map<string, { quantity: number; amount: bigint }>();
      for (const line of w.t.lines) {
        const agg = perSku.get(line.sku) ?? { quantity: 0, amount: 0n };
        agg.quantity += line.quantity;
        agg.amount += line.amountMinor;
        perSku.set(line.sku, agg);
      }
      for (const [sku, agg] of perSku) {
        const entry = state.skus.get(sku);
        if (
          entry &&
          !problems.length &&
          (agg.quantity > entry.quantity + 1e-9 || agg.amount > entry.amount)
        ) {
          problems.push({
            field: 'items',
            code: 'exceeds_sold',
            message: `Returns of ${sku} would exceed what was sold.`,
          });
        }
      }
      if (problems.length) {
        w.error = DomainError.validation(problems, 'The return exceeds what is left of its sale.');
        continue;
      }
      for (const [sku, agg] of perSku) {
        const entry = state.skus.get(sku)!;
        entry.quantity -= agg.quantity;
        entry.amount -= agg.amount;
      }
      w.originalId = sale.id;
      w.customerId = sale.customer_id;
      if (sale.customer_id) {
        w.reversal = {
          saleTransactionId: sale.id,
          salePoints: Number(sale.points),
          saleTotalMinor: state.total,
          returnedBeforeMinor: state.returned,
          returnedNowMinor: w.t.totalMinor,
        };
      }
      state.returned += w.t.totalMinor;
    }
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
        occurredAt: w.t.occurredAt.toISOString(),
        total: fromMinorUnits(w.t.totalMinor, w.t.currency),
        currency: w.t.currency,
        originalId: w.originalId,
        points: result?.points ?? 0,
      },
    };
  }
}
