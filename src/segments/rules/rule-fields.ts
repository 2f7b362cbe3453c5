import { RFM_SEGMENTS, VALUE_CLASSES } from '../rfm/rfm-segments';
import { READ_MODELS } from './read-models';

export type FieldType =
  'string' | 'enum' | 'number' | 'money' | 'date' | 'boolean' | 'tags' | 'presence';
export type FieldJoin = 'stats' | 'rfm';

export interface FieldSpec {
  type: FieldType;
  /** SQL over aliases c (customers), s (stats), r (rfm); `{now}`/`{tz}` are the compiler's parameters. */
  sql: string;
  join?: FieldJoin;
  values?: readonly string[];
  description: string;
}

const s = READ_MODELS.stats;
const ms = READ_MODELS.monthlySpend;
const cat = READ_MODELS.categoryStats;
const store = READ_MODELS.storeStats;
const NET_SPENT = `(coalesce(s.${s.salesMinor}, 0) - coalesce(s.${s.returnsMinor}, 0))`;
/** Shared with RFM: the last 12 tenant-local calendar months including the current one. */
export const SPEND_12M = `coalesce((SELECT sum(x.${ms.spent}) FROM ${ms.table} x WHERE x.tenant_id = c.tenant_id AND x.${ms.customerId} = c.id
            AND x.${ms.month} >= (date_trunc('month', {now} AT TIME ZONE {tz}) - interval '11 months')::date), 0)`;
const AGE = `(extract(year FROM ({now} AT TIME ZONE {tz}))::int - c.birth_year)`;
export const AGE_BANDS = ['0-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;

/**
 * Every field the language knows, with its type and SQL. Identifiers in the generated SQL come
 * only from here (plus `attr.<key>` and `consent.<channel>`, handled by the compiler with the
 * key as a parameter and the channel from an allow-list).
 */
export const RULE_FIELDS: Record<string, FieldSpec> = {
  gender: {
    type: 'enum',
    sql: 'c.gender',
    values: ['female', 'male', 'other', 'unknown'],
    description: 'Gender',
  },
  age: { type: 'number', sql: AGE, description: 'Age in years (from birth year, tenant calendar)' },
  ageBand: {
    type: 'enum',
    sql: `CASE WHEN c.birth_year IS NULL THEN NULL WHEN ${AGE} < 18 THEN '0-17' WHEN ${AGE} < 25 THEN '18-24' WHEN ${AGE} < 35 THEN '25-34'
           WHEN ${AGE} < 45 THEN '35-44' WHEN ${AGE} < 55 THEN '45-54' WHEN ${AGE} < 65 THEN '55-64' ELSE '65+' END`,
    values: AGE_BANDS,
    description: 'Age band',
  },
  birthMonth: {
    type: 'number',
    sql: 'c.birth_month',
    description: 'Birthday month 1–12 (compare with currentMonth())',
  },
  birthYear: { type: 'number', sql: 'c.birth_year', description: 'Birth year' },
  birthday: {
    type: 'presence',
    sql: 'c.birth_month',
    description: 'Birthday known (is null / is not null)',
  },
  phone: { type: 'presence', sql: 'c.phone_enc', description: 'Phone on file' },
  email: { type: 'presence', sql: 'c.email_enc', description: 'E-mail on file' },
  address: { type: 'presence', sql: 'c.address_enc', description: 'Address on file' },
  memberNo: { type: 'string', sql: 'c.member_no', description: 'Member number' },
  province: { type: 'string', sql: 'c.province', description: 'Province' },
  city: { type: 'string', sql: 'c.city', description: 'City' },
  district: { type: 'string', sql: 'c.district', description: 'District' },
  store: { type: 'string', sql: 'c.store_id', description: 'Home store id' },
  preferredStore: {
    type: 'string',
    sql: 'c.preferred_store_id',
    description: 'Preferred store id',
  },
  registeredBy: {
    type: 'string',
    sql: 'c.registered_by',
    description: 'Staff who registered the profile',
  },
  clothingSize: { type: 'string', sql: 'c.clothing_size', description: 'Clothing size' },
  shoeSize: { type: 'string', sql: 'c.shoe_size', description: 'Shoe size' },
  tags: { type: 'tags', sql: 'c.tags', description: 'Tags (contains)' },
  completeness: {
    type: 'number',
    sql: 'c.completeness',
    description: 'Profile completeness 0–100',
  },
  createdAt: { type: 'date', sql: 'c.created_at', description: 'Registered at' },
  confirmedAt: { type: 'date', sql: 'c.confirmed_at', description: 'Profile last confirmed at' },
  tier: { type: 'string', sql: 'c.tier_code', description: 'Loyalty tier code' },
  points: { type: 'number', sql: 'c.points_balance', description: 'Points balance' },
  pointsBalance: { type: 'number', sql: 'c.points_balance', description: 'Points balance' },

  'stats.recencyDays': {
    type: 'number',
    join: 'stats',
    sql: `floor(extract(epoch FROM ({now} - s.${s.lastPurchaseAt})) / 86400)`,
    description: 'Days since last purchase',
  },
  'stats.frequency': {
    type: 'number',
    join: 'stats',
    sql: `coalesce(s.${s.purchaseCount}, 0)`,
    description: 'Number of purchases',
  },
  'stats.purchaseCount': {
    type: 'number',
    join: 'stats',
    sql: `coalesce(s.${s.purchaseCount}, 0)`,
    description: 'Number of purchases',
  },
  'stats.monetary': {
    type: 'money',
    join: 'stats',
    sql: NET_SPENT,
    description: 'Total spent, net of returns',
  },
  'stats.totalSpent': {
    type: 'money',
    join: 'stats',
    sql: NET_SPENT,
    description: 'Total spent, net of returns',
  },
  'stats.aov': {
    type: 'money',
    join: 'stats',
    sql: `(CASE WHEN s.${s.purchaseCount} > 0 THEN ${NET_SPENT} / s.${s.purchaseCount} END)`,
    description: 'Average order value',
  },
  'stats.spend12m': {
    type: 'money',
    sql: SPEND_12M,
    description: 'Net spend in the last 12 tenant-local months',
  },
  'stats.favouriteCategory': {
    type: 'string',
    sql: `(SELECT x.${cat.category} FROM ${cat.table} x WHERE x.tenant_id = c.tenant_id AND x.${cat.customerId} = c.id
            ORDER BY x.${cat.spent} DESC, x.${cat.category} LIMIT 1)`,
    description: 'Category with the highest spend',
  },
  'stats.favouriteStore': {
    type: 'string',
    sql: `(SELECT x.${store.storeId} FROM ${store.table} x WHERE x.tenant_id = c.tenant_id AND x.${store.customerId} = c.id
            ORDER BY x.${store.count} DESC, x.${store.storeId} LIMIT 1)`,
    description: 'Store with the most purchases',
  },
  'stats.firstPurchaseAt': {
    type: 'date',
    join: 'stats',
    sql: `s.${s.firstPurchaseAt}`,
    description: 'First purchase',
  },
  'stats.lastPurchaseAt': {
    type: 'date',
    join: 'stats',
    sql: `s.${s.lastPurchaseAt}`,
    description: 'Last purchase',
  },

  'rfm.r': { type: 'number', join: 'rfm', sql: 'r.r_score', description: 'Recency score 1–5' },
  'rfm.f': { type: 'number', join: 'rfm', sql: 'r.f_score', description: 'Frequency score 1–5' },
  'rfm.m': { type: 'number', join: 'rfm', sql: 'r.m_score', description: 'Monetary score 1–5' },
  'rfm.segment': {
    type: 'enum',
    join: 'rfm',
    sql: 'r.segment',
    values: RFM_SEGMENTS,
    description: 'Standard RFM segment',
  },
  'rfm.frequencyClass': {
    type: 'enum',
    join: 'rfm',
    sql: 'r.frequency_class',
    values: VALUE_CLASSES,
    description: 'high / mid / low frequency',
  },
  'rfm.spendClass': {
    type: 'enum',
    join: 'rfm',
    sql: 'r.spend_class',
    values: VALUE_CLASSES,
    description: 'high / mid / low spend',
  },
  'rfm.gold': {
    type: 'boolean',
    join: 'rfm',
    sql: 'coalesce(r.gold, false)',
    description: 'Gold customer (金牌)',
  },

  'feedback.openComplaints': {
    type: 'number',
    sql: `(SELECT count(*) FROM ${READ_MODELS.feedback.table} f WHERE f.tenant_id = c.tenant_id AND f.${READ_MODELS.feedback.customerId} = c.id
            AND f.${READ_MODELS.feedback.type} = '${READ_MODELS.feedback.complaint}'
            AND f.${READ_MODELS.feedback.status} NOT IN (${READ_MODELS.feedback.closedStatuses.map((x) => `'${x}'`).join(', ')}))`,
    description: 'Open complaints',
  },
};

export const ATTRIBUTE_KEY = /^[\p{L}_][\p{L}\p{N}_-]{0,63}$/u;
