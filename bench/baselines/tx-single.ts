import type { Pool, QueryResult } from 'pg';
import { uuid7 } from '../../src/common/uuid7';
import { APP_ROLE, TENANT_SETTING } from '../../src/database/rls';
import { Tx } from '../../src/database/tx';
import { WriteBatch } from '../../src/database/write-batch';
import { OutboxService } from '../../src/events/outbox.service';
import { CustomerRefs } from '../../src/loyalty/customer-refs';
import { LoyaltyRepository } from '../../src/loyalty/loyalty.repository';
import { CustomerStatsRepository } from '../../src/transactions/customer-stats.repository';
import { TransactionsRepository } from '../../src/transactions/transactions.repository';
import type { PreparedTransaction } from '../../src/transactions/transaction-validation';
import type { BaselineRegister } from '../baseline-server';

const transactions = new TransactionsRepository();
const stats = new CustomerStatsRepository();
const loyalty = new LoyaltyRepository();
const outbox = new OutboxService();
// resolveIds reads customers directly; the customers service is only for phone/member refs.
const refs = new CustomerRefs(undefined as never);

interface Body {
  source: string;
  externalId: string;
  occurredAt: string;
  storeId: string;
  customer: { id: string };
  currency: string;
  total: string;
  items: {
    sku: string;
    name: string;
    category: string;
    quantity: number;
    unitPrice: string;
    amount: string;
  }[];
}

const minor = (amount: string) => BigInt(amount.replace('.', ''));

/** Maps the body to the row shape without any validation, hashing or rules. */
export function bare(body: Body, index = 0): PreparedTransaction {
  return {
    index,
    hash: '',
    source: body.source,
    externalId: body.externalId,
    type: 'sale',
    occurredAt: new Date(body.occurredAt),
    storeId: body.storeId,
    customer: body.customer,
    currency: body.currency,
    exponent: 2,
    totalMinor: minor(body.total),
    itemCount: body.items.length,
    lines: body.items.map((item, i) => ({
      lineNo: i + 1,
      sku: item.sku,
      name: item.name,
      category: item.category,
      quantity: item.quantity,
      unitPriceMinor: minor(item.unitPrice),
      amountMinor: minor(item.amount),
    })),
    originalExternalId: null,
  };
}

export async function inTenant<T>(
  pool: Pool,
  tenantId: string,
  work: (tx: Tx) => Promise<T>,
  prefetch: string[] = [],
): Promise<T> {
  const client = await pool.connect();
  try {
    const started = (await client.query(
      [
        `BEGIN; SET LOCAL ROLE ${APP_ROLE}; SELECT set_config('${TENANT_SETTING}', '${tenantId}', true)`,
        ...prefetch,
      ].join('; '),
    )) as unknown as QueryResult[];
    const prefetched = new Map(
      prefetch.map((sql, i) => [sql, started[started.length - prefetch.length + i].rows]),
    );
    const result = await work(new Tx(client, tenantId, prefetched));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The statements POST /v1/transactions runs for a new sale (Kehu's own repository SQL), with
 * no framework, auth, validation, idempotency replay, rules engine or mapping around them:
 * program (with BEGIN), customer look-up, key check, customer lock with 12-month totals, then
 * every write (the receipt and its items included) in one statement.
 */
export const register: BaselineRegister = (fastify, pool) => {
  fastify.post<{ Params: { tenant: string }; Body: Body }>(
    '/tx/:tenant',
    async (request, reply) => {
      const t = bare(request.body);
      const id = uuid7();
      const now = new Date();
      const points = Number(t.totalMinor / 100n);
      const { customerId, balance } = await inTenant(
        pool,
        request.params.tenant,
        async (tx) => {
          await loyalty.findProgramAndTenant(tx);
          const customerId = (await refs.resolveIds(tx, [t.customer!.id!])).get(
            t.customer!.id!,
          )!.id;
          await transactions.findByKeys(tx, [t]);
          const [customer] = await loyalty.lockCustomersWithTotals(
            tx,
            [customerId],
            new Date(now.getTime() - 365 * 86400000),
            now,
            (ids, at) => stats.spend12mSql(ids, at),
          );
          const next = Number(customer.points_balance) + points;
          await new WriteBatch()
            .add(
              loyalty.insertLedgerPart([
                {
                  id: uuid7(),
                  customerId,
                  kind: 'earn',
                  points,
                  reason: 'purchase',
                  source: t.source,
                  externalId: null,
                  actor: 'bench',
                  transactionId: id,
                  createdAt: now,
                },
              ]),
            )
            .add(
              loyalty.insertLotsPart([
                {
                  id: uuid7(),
                  customerId,
                  transactionId: id,
                  points,
                  remaining: points,
                  earnedAt: now,
                  expiresAt: null,
                },
              ]),
            )
            .add(
              loyalty.updateCustomerCachesPart([
                { id: customerId, balance: next, tierCode: 'member', tierSince: now },
              ]),
            )
            .add(
              outbox.recordManyPart(
                [{ type: 'points.earned', customerId, payload: { points } }],
                'loyalty_events',
              ),
            )
            .add(
              transactions.insertPart([
                { id, t, customerId, originalId: null, points, response: { id, points } },
              ]),
            )
            .add(
              stats.applyPart([
                {
                  customerId,
                  type: 'sale',
                  occurredAt: t.occurredAt,
                  storeId: t.storeId,
                  totalMinor: t.totalMinor,
                  itemCount: t.itemCount,
                  lines: t.lines,
                },
              ]),
            )
            .add(
              outbox.recordManyPart(
                [{ type: 'transaction.created', customerId, payload: { id } }],
                'transaction_events',
              ),
            )
            .run(tx);
          return { customerId, balance: next };
        },
        [
          'SET LOCAL random_page_cost = 1.1',
          'SET LOCAL plan_cache_mode = force_generic_plan',
          LoyaltyRepository.PROGRAM_AND_TENANT,
        ],
      );
      void reply.status(201);
      return {
        id,
        customerId,
        pointsEarned: points,
        pointsBalance: balance,
        tier: 'member',
        tierChanged: false,
      };
    },
  );
};
