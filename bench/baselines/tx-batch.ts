import { uuid7 } from '../../src/common/uuid7';
import { TransactionsRepository } from '../../src/transactions/transactions.repository';
import type { BaselineRegister } from '../baseline-server';
import { bare, inTenant } from './tx-single';

const transactions = new TransactionsRepository();

/** Only the UNNEST inserts of the batch's transactions and items: the floor Kehu is compared with. */
export const register: BaselineRegister = (fastify, pool) => {
  fastify.post<{
    Params: { tenant: string };
    Body: { transactions: Parameters<typeof bare>[0][] };
  }>('/batch/:tenant', async (request) => {
    const rows = request.body.transactions.map((body, i) => ({
      id: uuid7(),
      t: bare(body, i),
      customerId: body.customer.id,
    }));
    await inTenant(pool, request.params.tenant, async (tx) => {
      const inserted = await transactions.insertNew(tx, rows);
      await transactions.insertItems(
        tx,
        rows.filter((r) => inserted.has(r.id)).map((r) => ({ transactionId: r.id, t: r.t })),
      );
    });
    return { results: rows.map((r, index) => ({ index, status: 'created', id: r.id })) };
  });
};
