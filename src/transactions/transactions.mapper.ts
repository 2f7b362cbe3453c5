import { fromMinorUnits } from '../common/money';
import type { StatsRow } from './customer-stats.repository';
import type { TransactionModel } from './dto/transaction.model';
import type { ItemRow, TransactionRow } from './transactions.repository';

/** The `stats` block of the customer view (money in the program currency). */
export interface CustomerStatsView {
  firstPurchaseAt: string | null;
  lastPurchaseAt: string | null;
  purchaseCount: number;
  returnCount: number;
  itemsPurchased: number;
  itemsReturned: number;
  totalSpent: string;
  returnsTotal: string;
  averageOrderValue: string | null;
  favouriteCategory: string | null;
  favouriteStore: string | null;
  spend12m: string;
}

export function toStatsModel(row: StatsRow, currency: string): CustomerStatsView {
  const net = BigInt(row.sales_minor) - BigInt(row.returns_minor);
  return {
    firstPurchaseAt: row.first_purchase_at ? row.first_purchase_at.toISOString() : null,
    lastPurchaseAt: row.last_purchase_at ? row.last_purchase_at.toISOString() : null,
    purchaseCount: row.purchase_count,
    returnCount: row.return_count,
    itemsPurchased: Number(row.items_purchased),
    itemsReturned: Number(row.items_returned),
    totalSpent: fromMinorUnits(net, currency),
    returnsTotal: fromMinorUnits(row.returns_minor, currency),
    averageOrderValue:
      row.purchase_count > 0 ? fromMinorUnits(net / BigInt(row.purchase_count), currency) : null,
    favouriteCategory: row.favourite_category,
    favouriteStore: row.favourite_store,
    spend12m: fromMinorUnits(row.spend_12m, currency),
  };
}

/** A StatsRow as the customer view column carries it (json: timestamps as ISO strings). */
export type StatsJson = Omit<StatsRow, 'customer_id' | 'first_purchase_at' | 'last_purchase_at'> & {
  first_purchase_at: string | null;
  last_purchase_at: string | null;
};

export function statsRowFromJson(customerId: string, json: StatsJson): StatsRow {
  return {
    ...json,
    customer_id: customerId,
    first_purchase_at: json.first_purchase_at === null ? null : new Date(json.first_purchase_at),
    last_purchase_at: json.last_purchase_at === null ? null : new Date(json.last_purchase_at),
  };
}

export function toTransactionModel(row: TransactionRow, items: ItemRow[]): TransactionModel {
  return {
    id: row.id,
    type: row.type,
    source: row.source,
    externalId: row.external_id,
    customerId: row.customer_id,
    storeId: row.store_id,
    occurredAt: row.occurred_at.toISOString(),
    currency: row.currency,
    total: fromMinorUnits(row.total_minor, row.currency),
    points: Number(row.points),
    originalId: row.original_id,
    claimedAt: row.claimed_at ? row.claimed_at.toISOString() : null,
    items: items.map((i) => ({
      sku: i.sku,
      name: i.name,
      category: i.category,
      quantity: String(Number(i.quantity)),
      unitPrice: fromMinorUnits(i.unit_price_minor, row.currency),
      amount: fromMinorUnits(i.amount_minor, row.currency),
    })),
    createdAt: row.created_at.toISOString(),
  };
}
