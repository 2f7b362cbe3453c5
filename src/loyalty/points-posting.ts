import type { LoyaltyProgram, TierDefinition } from './loyalty-program';
import { baseTier, tierByCode } from './loyalty-program';
import type { SaleLine } from './points-math';

/** One transaction's effect on a customer's points, as the transactions feature hands it over. */
export interface PointsPosting {
  transactionId: string;
  customerId: string;
  type: 'sale' | 'return';
  occurredAt: Date;
  /** Sale lines (earning); empty for a return. */
  lines: SaleLine[];
  /** + for a sale, − for a return: moves the 12-month spend used for upgrades. */
  netSpendMinor: bigint;
  currencyExponent: number;
  reversal?: {
    saleTransactionId: string;
    salePoints: number;
    saleTotalMinor: bigint;
    returnedBeforeMinor: bigint;
    returnedNowMinor: bigint;
  };
  source: string;
  actor: string;
}

export interface PostingResult {
  transactionId: string;
  customerId: string;
  /** Signed: earned (+) or reversed (−). */
  points: number;
  pointsBalance: number;
  tier: string;
  tierChanged: boolean;
  previousTier: string;
}

/** Per-customer running state while a set of postings is applied in order. */
export interface CustomerPointsState {
  balance: number;
  tier: TierDefinition;
  tierSince: Date;
  hadTier: boolean;
  birthMonth: number | null;
  spend12m: bigint;
  points12m: number;
  touched: boolean;
}

export function initialState(
  program: LoyaltyProgram,
  row: {
    tier_code: string | null;
    tier_since: Date | null;
    points_balance: string;
    birth_month: number | null;
  },
  spend12m: bigint,
  points12m: number,
  now: Date,
): CustomerPointsState {
  return {
    balance: Number(row.points_balance),
    tier: row.tier_code ? tierByCode(program, row.tier_code) : baseTier(program),
    tierSince: row.tier_since ?? now,
    hadTier: row.tier_code !== null,
    birthMonth: row.birth_month,
    spend12m,
    points12m,
    touched: false,
  };
}

const MONTH_FORMATS = new Map<string, Intl.DateTimeFormat>();
/** Per time zone: quarter-hour of UTC → local month (see localMonth). */
const MONTH_CACHE = new Map<string, Map<number, number>>();
const QUARTER_HOUR_MS = 15 * 60 * 1000;
/** 1980-01-01: from then on every zone's UTC offset is a whole number of quarter hours. */
const QUARTER_HOUR_OFFSETS_FROM_MS = Date.UTC(1980, 0, 1);
const MONTH_CACHE_LIMIT = 4096;

function formattedMonth(instant: Date, timeZone: string): number {
  let format = MONTH_FORMATS.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, month: 'numeric' });
    MONTH_FORMATS.set(timeZone, format);
  }
  return Number(format.format(instant));
}

/**
 * Month 1–12 of an instant in a time zone. Intl formatting cost ~1 µs a sale; a local month
 * starts at local midnight, which is on a UTC quarter hour whenever the zone's offset is a
 * whole number of quarter hours, so every instant of one UTC quarter hour has the same local
 * month and one formatting per quarter hour serves them all (a batch's receipts share a few).
 */
export function localMonth(instant: Date, timeZone: string): number {
  const ms = instant.getTime();
  if (!(ms >= QUARTER_HOUR_OFFSETS_FROM_MS)) return formattedMonth(instant, timeZone);
  const quarter = Math.floor(ms / QUARTER_HOUR_MS);
  let months = MONTH_CACHE.get(timeZone);
  if (!months) {
    months = new Map();
    MONTH_CACHE.set(timeZone, months);
  }
  let month = months.get(quarter);
  if (month === undefined) {
    if (months.size >= MONTH_CACHE_LIMIT) months.clear();
    month = formattedMonth(instant, timeZone);
    months.set(quarter, month);
  }
  return month;
}
