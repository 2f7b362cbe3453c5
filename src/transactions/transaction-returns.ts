import { DomainError } from '../common/errors/domain-error';
import type { Tx } from '../database/tx';
import type { PointsPosting } from '../loyalty/points-posting';
import type { PreparedTransaction } from './transaction-validation';
import type { ItemRow, TransactionRow, TransactionsRepository } from './transactions.repository';

/** What the return check reads and sets on an item of the set being ingested. */
export interface ReturnWork {
  t: PreparedTransaction;
  id: string;
  customerId: string | null;
  originalId: string | null;
  reversal?: PointsPosting['reversal'];
  error?: DomainError;
}

const keyOf = (source: string, externalId: string) => `${source}\u0000${externalId}`;

/**
 * A return names a sale of the same source — stored, or a new sale of this same set (not
 * written yet: a set's receipts are inserted once, after the checks) — and never takes back
 * more than was sold per line. Sets originalId, customerId and the points reversal of each
 * valid return, `error` of each other one.
 */
export async function checkReturns(
  repository: TransactionsRepository,
  tx: Tx,
  returns: ReturnWork[],
  newSales: ReturnWork[],
): Promise<void> {
  if (!returns.length) return;
  const stored = await repository.lockOriginals(
    tx,
    returns.map((w) => ({ source: w.t.source, externalId: w.t.originalExternalId! })),
  );
  const byKey = new Map(stored.map((o) => [keyOf(o.source, o.external_id), o]));
  // A sale of this set stands in for its stored row: no points recorded yet (the posting
  // reads what it earns in this same set), no earlier returns.
  const wanted = new Set(returns.map((w) => keyOf(w.t.source, w.t.originalExternalId!)));
  const inSetItems: ItemRow[] = [];
  for (const sale of newSales) {
    const key = keyOf(sale.t.source, sale.t.externalId);
    if (!wanted.has(key) || byKey.has(key)) continue;
    byKey.set(key, inSetRow(sale));
    inSetItems.push(
      ...sale.t.lines.map((l) => ({
        transaction_id: sale.id,
        line_no: l.lineNo,
        sku: l.sku,
        name: l.name,
        category: l.category,
        quantity: String(l.quantity),
        unit_price_minor: l.unitPriceMinor.toString(),
        amount_minor: l.amountMinor.toString(),
      })),
    );
  }
  const originals = [...byKey.values()];
  const storedSaleIds = stored.filter((o) => o.type === 'sale').map((o) => o.id);
  const saleIds = originals.filter((o) => o.type === 'sale').map((o) => o.id);
  // One connection: queries run one after another.
  const saleItems = [...(await repository.items(tx, storedSaleIds)), ...inSetItems];
  const earlier = await repository.returnsOf(
    tx,
    storedSaleIds,
    returns.map((w) => w.id),
  );
  const earlierItems = await repository.items(
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
    const sale = byKey.get(keyOf(w.t.source, w.t.originalExternalId!));
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

/** The stored-row view of a sale of the running set (what the check reads of it). */
function inSetRow(sale: ReturnWork): TransactionRow {
  return {
    id: sale.id,
    source: sale.t.source,
    external_id: sale.t.externalId,
    type: 'sale',
    customer_id: sale.customerId,
    store_id: sale.t.storeId,
    occurred_at: sale.t.occurredAt,
    currency: sale.t.currency,
    total_minor: sale.t.totalMinor.toString(),
    item_count: String(sale.t.itemCount),
    original_id: null,
    points: '0',
    request_hash: sale.t.hash,
    response: null,
    claimed_at: null,
    created_at: sale.t.occurredAt,
  };
}
