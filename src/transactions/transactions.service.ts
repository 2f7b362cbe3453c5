import { Injectable, OnModuleInit } from '@nestjs/common';
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
import { LoyaltyService } from '../loyalty/loyalty.service';
import { CustomerStatsRepository, StatsRow } from './customer-stats.repository';
import { ClaimInput } from './dto/transaction.input';
import {
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
import { customerRefProblem } from './transaction-validation';
import { TransactionsRepository } from './transactions.repository';

const DAY_MS = 24 * 3600 * 1000;

@Injectable()
export class TransactionsService implements OnModuleInit {
  constructor(
    private readonly database: Database,
    private readonly repository: TransactionsRepository,
    private readonly stats: CustomerStatsRepository,
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
