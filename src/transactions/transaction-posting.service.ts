import { Injectable, Logger } from '@nestjs/common';
import { actorOf, type Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { Database } from '../database/database.service';
import { LoyaltyProgramService } from '../loyalty/loyalty-program.service';
import { LoyaltyRepository } from '../loyalty/loyalty.repository';
import { TransactionInput } from './dto/transaction.input';
import { BatchItemResultModel, TransactionResultModel } from './dto/transaction.model';
import { SaleCoalescer, Settled } from './sale-coalescer';
import { IngestOutcome, TransactionIngest } from './transaction-ingest';
import {
  prepareTransaction,
  PreparedTransaction,
  validateBatchItem,
} from './transaction-validation';
import { RECEIPT_KEY_CONSTRAINT } from './transactions.repository';

/**
 * The program read every posting starts with, sent in BEGIN's round trip. The posting's
 * UPDATEs join a few hundred ids against transactions and customers; with the default
 * random_page_cost (4, spinning disks) the planner prefers a sequential scan of the tenant's
 * whole table from about 10k rows on, which grows with every sale. Index probes are what a
 * cached or SSD-backed database does cheaply, so this transaction plans with 1.1.
 */
const PROGRAM_WITH_BEGIN = {
  prefetch: [LoyaltyRepository.PROGRAM_AND_TENANT],
  setLocal: { random_page_cost: 1.1 },
};

/**
 * Single sales, posted in groups of 1..64 (SaleCoalescer), run named statements (Tx.prepared)
 * on arrays of one to a few dozen elements. With the default plan_cache_mode PostgreSQL
 * compares the generic plan (costed for ten elements) with the custom ones (one), finds it
 * dearer and re-plans on every execution: the customer lock with its 12-month totals cost
 * ~1.9 ms of planning a sale. Generic plans are planned once per connection; the statements'
 * shapes (index probes by tenant and id) do not depend on values and suit 1 as well as 64
 * elements. The batch path (up to 1,000) keeps custom plans.
 */
const SINGLE_POSTING = {
  prefetch: PROGRAM_WITH_BEGIN.prefetch,
  setLocal: { ...PROGRAM_WITH_BEGIN.setLocal, plan_cache_mode: 'force_generic_plan' },
};

/**
 * Retries a whole database transaction that PostgreSQL aborted as a deadlock victim, or
 * because a concurrent copy of one of its receipts was stored after the key check (the insert
 * waited for that copy to commit): the retry finds the key stored and answers a duplicate.
 */
async function retryDeadlock<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      const race = code === '23505' && constraint === RECEIPT_KEY_CONSTRAINT;
      if (!(code === '40P01' || race) || attempt >= 3) throw error;
    }
  }
}

function batchError(index: number, error: DomainError): BatchItemResultModel {
  return {
    index,
    status: 'error',
    error: { code: error.code, detail: error.detail, errors: error.options.errors },
  };
}

function batchResult(outcome: IngestOutcome): BatchItemResultModel {
  if (outcome.status === 'error') return batchError(outcome.index, outcome.error);
  return {
    index: outcome.index,
    status: outcome.status,
    id: outcome.id,
    result: outcome.body as unknown as TransactionResultModel,
  };
}

/**
 * Posting sales and returns: single posts (grouped per tenant and client by SaleCoalescer) and
 * batches, each set validated item by item and stored by TransactionIngest in as few database
 * transactions as it takes. Reads, claims and stats stay in TransactionsService.
 */
@Injectable()
export class TransactionPostingService {
  private readonly logger = new Logger(TransactionPostingService.name);

  constructor(
    private readonly database: Database,
    private readonly ingestion: TransactionIngest,
    private readonly programs: LoyaltyProgramService,
    private readonly clock: Clock,
  ) {}

  /**
   * Single sales posted concurrently by one client of a tenant, one transaction per group of
   * up to 64. Two groups in flight: while one is in PostgreSQL, Node builds the next (bench
   * tx-single, consecutive runs: ~1,000 req/s with one in flight, ~1,450 with two).
   */
  private readonly sales = new SaleCoalescer<SaleRequest, SaleResult>(
    (group) => this.recordGroup(group),
    64,
    2,
  );

  /** One sale or return. A retry of a stored receipt answers its first result (`replayed`). */
  async record(principal: Principal, input: TransactionInput): Promise<SaleResult> {
    const actor = actorOf(principal);
    return this.sales.submit(`${principal.tenantId}\u0000${actor}`, {
      tenantId: principal.tenantId,
      actor,
      input,
    });
  }

  /**
   * Single sales of one tenant and actor (SaleCoalescer) as one set: each validated alone,
   * each with its own outcome, exactly what it would get posted alone — the ingest treats a
   * set like sales posted one after the other (repeats answer as replays, a return may follow
   * its sale, a customer's balance runs on).
   */
  private async recordGroup(group: SaleRequest[]): Promise<Settled<SaleResult>[]> {
    const { tenantId, actor } = group[0];
    return retryDeadlock(() =>
      this.database.withTenant(
        tenantId,
        async (tx) => {
          const context = await this.programs.load(tx);
          const now = this.clock.now();
          const settled: Settled<SaleResult>[] = [];
          const prepared: PreparedTransaction[] = [];
          group.forEach(({ input }, index) => {
            try {
              prepared.push(prepareTransaction(input, index, context.currencies, now));
            } catch (error) {
              settled[index] = { ok: false, error };
            }
          });
          for (const outcome of await this.ingestion.ingest(tx, context, prepared, actor)) {
            settled[outcome.index] =
              outcome.status === 'error'
                ? { ok: false, error: outcome.error }
                : {
                    ok: true,
                    value: {
                      result: outcome.body as unknown as TransactionResultModel,
                      replayed: outcome.status === 'duplicate',
                    },
                  };
          }
          return settled;
        },
        SINGLE_POSTING,
      ),
    );
  }

  /**
   * Up to 1,000 independent transactions in one database transaction; results in input order.
   * Items whose customer another transaction holds at that moment are not waited for: they go
   * in a second transaction once the first has committed (TransactionIngest.ingestAvailable).
   */
  async recordBatch(principal: Principal, raw: unknown[]): Promise<BatchItemResultModel[]> {
    const actor = actorOf(principal);
    const { results, deferred } = await retryDeadlock(() =>
      this.database.withTenant(
        principal.tenantId,
        async (tx) => {
          const context = await this.programs.load(tx);
          const now = this.clock.now();
          const results: BatchItemResultModel[] = raw.map((_, index) => ({
            index,
            status: 'error',
          }));
          const prepared: PreparedTransaction[] = [];
          raw.forEach((item, index) => {
            try {
              const valid = validateBatchItem(item);
              if (valid instanceof DomainError) throw valid;
              prepared.push(
                prepareTransaction(valid.input, index, context.currencies, now, valid.plain),
              );
            } catch (error) {
              if (!(error instanceof DomainError)) throw error;
              results[index] = batchError(index, error);
            }
          });
          const { outcomes, deferred } = await this.ingestion.ingestAvailable(
            tx,
            context,
            prepared,
            actor,
          );
          for (const outcome of outcomes) results[outcome.index] = batchResult(outcome);
          return { results, deferred };
        },
        PROGRAM_WITH_BEGIN,
      ),
    );
    if (deferred.length) {
      try {
        const outcomes = await retryDeadlock(() =>
          this.database.withTenant(
            principal.tenantId,
            async (tx) => this.ingestion.ingest(tx, await this.programs.load(tx), deferred, actor),
            PROGRAM_WITH_BEGIN,
          ),
        );
        for (const outcome of outcomes) results[outcome.index] = batchResult(outcome);
      } catch (error) {
        // The first transaction is committed: answer what it stored, and let the caller post
        // the rest again (a retry of the whole batch answers the stored items as duplicates).
        this.logger.warn(
          `batch: ${deferred.length} receipts of busy customers not stored: ${String(error)}`,
        );
        const busy = new DomainError(
          'service_unavailable',
          'Its customer was busy in another transaction and the wait for it failed; nothing was stored for this item. Post it again.',
        );
        for (const item of deferred) results[item.index] = batchError(item.index, busy);
      }
    }
    return results;
  }
}

interface SaleRequest {
  tenantId: string;
  actor: string;
  input: TransactionInput;
}

type SaleResult = { result: TransactionResultModel; replayed: boolean };
