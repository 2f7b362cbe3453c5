import { marketingAllowedSql } from '../../consent/consent.sql';

/**
 * Other modules' tables that segment evaluation reads.
 *
 * Deliberate exception to "a module reaches another's tables only through its service"
 * (DESIGN.md, STYLE rule 9): a segment over 1M customers must be ONE set-based statement, and
 * a service call per customer (or per module) cannot be joined inside PostgreSQL. So the
 * compiler joins these read models directly, read-only, and every such table/column name
 * lives here, in one place, so a schema change in the owning module is a one-file fix here.
 */
export const READ_MODELS = {
  /** transactions module: counters per customer, maintained with every sale/return. */
  stats: {
    table: 'customer_stats',
    customerId: 'customer_id',
    firstPurchaseAt: 'first_purchase_at',
    lastPurchaseAt: 'last_purchase_at',
    purchaseCount: 'purchase_count',
    salesMinor: 'sales_minor',
    returnsMinor: 'returns_minor',
  },
  /** transactions module: net spend per tenant-local month (12-month spend = 12 rows). */
  monthlySpend: {
    table: 'customer_monthly_spend',
    customerId: 'customer_id',
    month: 'month',
    spent: 'spent_minor',
  },
  categoryStats: {
    table: 'customer_category_stats',
    customerId: 'customer_id',
    category: 'category',
    spent: 'spent_minor',
  },
  storeStats: {
    table: 'customer_store_stats',
    customerId: 'customer_id',
    storeId: 'store_id',
    count: 'purchase_count',
  },
  transactions: {
    table: 'transactions',
    customerId: 'customer_id',
    type: 'type',
    occurredAt: 'occurred_at',
    storeId: 'store_id',
    sale: 'sale',
  },
  items: {
    table: 'transaction_items',
    transactionId: 'transaction_id',
    sku: 'sku',
    category: 'category',
  },
  /** feedback module: complaints and their workflow status. */
  feedback: {
    table: 'feedback',
    customerId: 'customer_id',
    type: 'type',
    status: 'status',
    complaint: 'complaint',
    closedStatuses: ['resolved', 'closed'],
  },
} as const;

export const CONSENT_CHANNELS = ['sms', 'email', 'wechat', 'phone', 'push'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

/**
 * SQL for "customer `alias` may receive marketing on the channel in `$n`": the consent
 * module's own set-based rule (granted, active, not restricted, guardian for minors), so
 * segments and exports decide consent exactly as the consent module does. Imported as the
 * pure SQL builder because the compiler is a pure function; services use ConsentService.
 */
export function marketingConsentSql(alias: string, channelParam: string): string {
  return marketingAllowedSql(alias, channelParam);
}
