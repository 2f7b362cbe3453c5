import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { actorOf, type Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { decodeCursor, PageQuery, pageLimit, toPage } from '../common/pagination';
import { isUuid } from '../common/uuid7';
import { claimPostings } from './transaction-claim-postings';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { CustomerExtensions } from '../customers/customer-extensions';
import { OutboxService } from '../events/outbox.service';
import { CustomerRefs } from '../loyalty/customer-refs';
import { LoyaltyProgramService } from '../loyalty/loyalty-program.service';
import { LoyaltyRepository } from '../loyalty/loyalty.repository';
import { LoyaltyService } from '../loyalty/loyalty.service';
import { CustomerStatsRepository, StatsRow } from './customer-stats.repository';
import { ClaimInput, TransactionInput } from './dto/transaction.input';
import {
  BatchItemResultModel,
  TransactionModel,
  TransactionPageModel,
  TransactionResultModel,
} from './dto/transaction.model';
import {
  statsRowFromJson,
  StatsJson,
  toStatsModel,
  toTransactionModel,
} from './transactions.mapper';
import { SaleCoalescer, Settled } from './sale-coalescer';
import { IngestOutcome, TransactionIngest } from './transaction-ingest';
import {
  customerRefProblem,
  prepareTransaction,
  PreparedTransaction,
  validateBatchItem,
} from './transaction-validation';
import { RECEIPT_KEY_CONSTRAINT, TransactionsRepository } from './transactions.repository';

const DAY_MS = 24 * 3600 * 1000;

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

@Injectable()
export class TransactionsService implements OnModuleInit {
  private readonly logger = new Logger(TransactionsService.name);

  constructor(
    private readonly database: Database,
    private readonly repository: TransactionsRepository,
    private readonly stats: CustomerStatsRepository,
    private readonly ingestion: TransactionIngest,
    private readonly programs: LoyaltyProgramService,
    private readonly loyalty: LoyaltyService,
    private readonly refs: CustomerRefs,
    private readonly outbox: OutboxService,
    private readonly extensions: CustomerExtensions,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.loyalty.registerSpendSource(
      (tx, ids, now) => this.stats.spend12m(tx, ids, now),
      (idsRef, nowRef) => this.stats.spend12mSql(idsRef, nowRef),
    );
    const toBlocks = async (tx: Tx, rows: StatsRow[]) => {
      // Nobody on the page has bought yet (a common list page): no currency to read.
      if (!rows.length) return new Map<string, unknown>();
      const { program } = await this.programs.load(tx);
      return new Map(rows.map((row) => [row.customer_id, toStatsModel(row, program.currency)]));
    };
    this.extensions.registerView(
      'stats',
      async (tx, ids) => toBlocks(tx, await this.stats.load(tx, ids, this.clock.now())),
      {
        sql: (alias, param) =>
          this.stats.viewColumnSql(
            alias,
            param(() => this.clock.now()),
          ),
        toBlocks: (tx, values) =>
          toBlocks(
            tx,
            [...values].map(([id, value]) => statsRowFromJson(id, value as StatsJson)),
          ),
      },
    );
    this.extensions.registerMergeHandler(
      'transactions',
      async (tx, survivorId, sourceIds) => {
        await this.repository.moveToSurvivor(tx, survivorId, sourceIds);
        await this.stats.moveToSurvivor(tx, survivorId, sourceIds);
      },
      // Undo put the transactions back on their customers: rebuild everyone's stats.
      (tx, survivorId, sourceIds) => this.stats.moveToSurvivor(tx, survivorId, sourceIds),
    );
  }

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

  /** Attaches an anonymous receipt (and its returns) to a customer within the claim window; points once. */
  async claim(
    principal: Principal,
    transactionId: string,
    input: ClaimInput,
  ): Promise<TransactionResultModel> {
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const sale = isUuid(transactionId)
        ? await this.repository.lock(tx, transactionId)
        : undefined;
      if (!sale) throw DomainError.notFound('Transaction');
      if (sale.type !== 'sale')
        throw DomainError.field('transactionId', 'not_a_sale', 'Only a sale can be claimed.');
      if (sale.customer_id)
        throw new DomainError('conflict', 'This receipt already belongs to a customer.');
      const context = await this.programs.load(tx);
      const now = this.clock.now();
      if (sale.occurred_at.getTime() < now.getTime() - context.claimWindowDays * DAY_MS) {
        throw DomainError.field(
          'transactionId',
          'claim_window_expired',
          `Receipts can be claimed within ${context.claimWindowDays} days.`,
        );
      }
      const ref = input.customer;
      const problem = customerRefProblem(ref);
      if (problem) throw DomainError.validation([problem]);
      const customer = await this.refs.resolve(tx, ref, principal);
      if (!customer || customer.status !== 'active')
        throw DomainError.field('customer', 'not_found', 'No active customer matches customer.');
      await this.repository.claim(tx, sale.id, customer.id, now);
      const returns = await this.repository.returnsOf(tx, [sale.id], []);
      const items = await this.repository.items(tx, [sale.id]);
      const postings = claimPostings(sale, items, returns, customer.id, actorOf(principal));
      const results = await this.loyalty.post(tx, context, postings);
      for (const r of results.slice(1))
        await this.repository.setResponse(tx, r.transactionId, r.points, {
          ...(returns.find((x) => x.id === r.transactionId)?.response ?? {}),
          customerId: customer.id,
          pointsEarned: r.points,
        });
      const last = results[results.length - 1];
      const net = results.reduce((sum, r) => sum + r.points, 0);
      const body: TransactionResultModel = {
        id: sale.id,
        type: 'sale',
        source: sale.source,
        externalId: sale.external_id,
        customerId: customer.id,
        pointsEarned: net,
        pointsBalance: last.pointsBalance,
        tier: last.tier,
        tierChanged: results.some((r) => r.tierChanged),
      };
      await this.repository.setResponse(tx, sale.id, results[0].points, {
        ...body,
        pointsEarned: results[0].points,
      });
      await this.stats.apply(tx, [sale.id, ...returns.map((r) => r.id)]);
      await this.outbox.record(tx, {
        type: 'transaction.claimed',
        customerId: customer.id,
        subjectType: 'transaction',
        subjectId: sale.id,
        payload: { transactionId: sale.id, customerId: customer.id, points: net },
      });
      return body;
    });
  }

  async get(principal: Principal, id: string): Promise<TransactionModel> {
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const row = isUuid(id) ? await this.repository.find(tx, id) : undefined;
      if (!row) throw DomainError.notFound('Transaction');
      return toTransactionModel(row, await this.repository.items(tx, [row.id]));
    });
  }

  async listForCustomer(
    principal: Principal,
    customerId: string,
    query: PageQuery,
  ): Promise<TransactionPageModel> {
    return this.database.withTenant(principal.tenantId, (tx) =>
      this.listForCustomerIn(tx, customerId, query),
    );
  }

  async listForCustomerIn(
    tx: Tx,
    customerId: string,
    query: PageQuery,
  ): Promise<TransactionPageModel> {
    const limit = pageLimit(query);
    const after = decodeCursor(query.cursor);
    const customer = isUuid(customerId)
      ? await this.refs.resolve(tx, { id: customerId })
      : undefined;
    if (!customer) throw DomainError.notFound('Customer');
    const rows = await this.repository.pageForCustomer(tx, customer.id, after, limit);
    const items = await this.repository.items(
      tx,
      rows.map((r) => r.id),
    );
    return toPage(rows, limit, (row) =>
      toTransactionModel(
        row,
        items.filter((i) => i.transaction_id === row.id),
      ),
    );
  }

  /**
   * For the feedback feature: the customer a transaction belongs to — the id, null for an
   * anonymous receipt, undefined when there is no such transaction.
   */
  async findTransactionCustomer(tx: Tx, transactionId: string): Promise<string | null | undefined> {
    if (!isUuid(transactionId)) return undefined;
    const row = await this.repository.customerOf(tx, transactionId);
    return row ? row.customer_id : undefined;
  }

  /** Recomputes every customer's stats from the transactions; returns what differs (empty = all good). */
  async checkStats(tenantId: string) {
    return this.database.withTenant(tenantId, (tx) => this.stats.differences(tx));
  }
}

interface SaleRequest {
  tenantId: string;
  actor: string;
  input: TransactionInput;
}

type SaleResult = { result: TransactionResultModel; replayed: boolean };
