import type { Pool } from 'pg';
import { uuid7 } from '../../src/common/uuid7';
import { APP_ROLE, TENANT_SETTING } from '../../src/database/rls';
import { Tx } from '../../src/database/tx';
import { LoyaltyRepository } from '../../src/loyalty/loyalty.repository';
import { CustomerStatsRepository } from '../../src/transactions/customer-stats.repository';
import { TransactionsRepository } from '../../src/transactions/transactions.repository';
import type { PreparedTransaction } from '../../src/transactions/transaction-validation';
import type { BaselineRegister } from '../baseline-server';

const transactions = new TransactionsRepository();
const stats = new CustomerStatsRepository();
const loyalty = new LoyaltyRepository();

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
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(
      `BEGIN; SET LOCAL ROLE ${APP_ROLE}; SELECT set_config('${TENANT_SETTING}', '${tenantId}', true)`,
    );
    const result = await work(new Tx(client, tenantId));
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
 * no framework, auth, validation, idempotency replay, rules engine or mapping around them.
 */
export const register: BaselineRegister = (fastify, pool) => {
  fastify.post<{ Params: { tenant: string }; Body: Body }>(
    '/tx/:tenant',
    async (request, reply) => {
      const t = bare(request.body);
      const id = uuid7();
      const now = new Date();
      const customerId = t.customer!.id!;
      const points = Number(t.totalMinor / 100n);
      const balance = await inTenant(pool, request.params.tenant, async (tx) => {
        await loyalty.findProgramAndTenant(tx);
        await transactions.insertNew(tx, [{ id, t, customerId }]);
        await transactions.insertItems(tx, [{ transactionId: id, t }]);
        const [customer] = await loyalty.lockCustomers(tx, [customerId]);
        await stats.spend12m(tx, [customerId], now);
        await loyalty.pointsEarnedSince(tx, [customerId], new Date(now.getTime() - 365 * 86400000));
        await loyalty.insertLedger(tx, [
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
        ]);
        await loyalty.insertLots(tx, [
          {
            id: uuid7(),
            customerId,
            transactionId: id,
            points,
            remaining: points,
            earnedAt: now,
            expiresAt: null,
          },
        ]);
        const next = Number(customer.points_balance) + points;
        await loyalty.updateCustomerCaches(tx, [
          { id: customerId, balance: next, tierCode: 'member', tierSince: now },
        ]);
        await tx.query(
          `INSERT INTO events (tenant_id, id, type, customer_id, payload) VALUES ($1, $2, 'points.earned', $3, $4)`,
          [tx.tenant, uuid7(), customerId, { points }],
        );
        await transactions.finish(tx, [
          { id, customerId, originalId: null, points, response: { id, points } },
        ]);
        await stats.apply(tx, [id]);
        await tx.query(
          `INSERT INTO events (tenant_id, id, type, customer_id, payload) VALUES ($1, $2, 'transaction.created', $3, $4)`,
          [tx.tenant, uuid7(), customerId, { id }],
        );
        return next;
      });
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
