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
  /** transactions module: one row per customer, maintained on every sale/return. */
  stats: {
    table: 'customer_stats',
    customerId: 'customer_id',
    firstPurchaseAt: 'first_purchase_at',
    lastPurchaseAt: 'last_purchase_at',
    purchaseCount: 'purchase_count',
    totalSpent: 'total_spent',
    aov: 'average_order_value',
    spend12m: 'spend_12m',
    favouriteCategory: 'favourite_category',
    favouriteStore: 'favourite_store_id',
  },
  transactions: { table: 'transactions', customerId: 'customer_id', type: 'type', occurredAt: 'occurred_at', storeId: 'store_id', sale: 'sale' },
  items: { table: 'transaction_items', transactionId: 'transaction_id', sku: 'sku', category: 'category' },
  /** consent module: current state per customer × purpose × channel. */
  consent: { table: 'consent_state', customerId: 'customer_id', purpose: 'purpose', channel: 'channel', status: 'status', marketing: 'marketing', granted: 'granted' },
  /** feedback module: complaints and their workflow status. */
  feedback: { table: 'feedback', customerId: 'customer_id', type: 'type', status: 'status', complaint: 'complaint', closedStatuses: ['resolved', 'closed'] },
} as const;

export const CONSENT_CHANNELS = ['sms', 'email', 'wechat', 'phone', 'push'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

/**
 * SQL for "customer `alias` has granted marketing consent on the channel in `$param`".
 * The one place exports and the rule compiler decide consent.
 */
export function marketingConsentSql(alias: string, channelParam: string): string {
  const c = READ_MODELS.consent;
  return `EXISTS (SELECT 1 FROM ${c.table} cs WHERE cs.tenant_id = ${alias}.tenant_id AND cs.${c.customerId} = ${alias}.id
            AND cs.${c.purpose} = '${c.marketing}' AND cs.${c.channel} = ${channelParam} AND cs.${c.status} = '${c.granted}')`;
}
