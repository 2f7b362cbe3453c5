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

/** Month 1–12 of an instant in a time zone. */
export function localMonth(instant: Date, timeZone: string): number {
  let format = MONTH_FORMATS.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, month: 'numeric' });
    MONTH_FORMATS.set(timeZone, format);
  }
  return Number(format.format(instant));
}
