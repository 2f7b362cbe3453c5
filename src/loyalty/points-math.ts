import type { LoyaltyProgram, Rounding, TierDefinition } from './loyalty-program';

/**
 * Points arithmetic, exact: money stays in integer minor units and multipliers are scaled to
 * integers (4 decimals), so a sale's points are one rational number rounded once, the way the
 * program says — never a float summed line by line.
 */
const MULTIPLIER_SCALE = 10_000n;

/**
 * A program has a handful of multipliers and one points rate, used by every line of every
 * sale: each is converted to a BigInt once (a 500-sale batch did ~5,000 conversions).
 */
const SCALED_MULTIPLIERS = new Map<number, bigint>();
const SCALED_DECIMALS = new Map<string, bigint>();
const CONVERSION_CACHE_LIMIT = 1024;

export function scaledMultiplier(multiplier: number): bigint {
  let scaled = SCALED_MULTIPLIERS.get(multiplier);
  if (scaled === undefined) {
    scaled = BigInt(Math.round(multiplier * 10_000));
    if (SCALED_MULTIPLIERS.size < CONVERSION_CACHE_LIMIT)
      SCALED_MULTIPLIERS.set(multiplier, scaled);
  }
  return scaled;
}

/** "0.5" → 5000n (scaled by MULTIPLIER_SCALE) */
function decimalToScaled(decimal: string): bigint {
  let scaled = SCALED_DECIMALS.get(decimal);
  if (scaled === undefined) {
    const [whole, fraction = ''] = decimal.split('.');
    scaled = BigInt(whole) * MULTIPLIER_SCALE + BigInt((fraction + '0000').slice(0, 4));
    if (SCALED_DECIMALS.size < CONVERSION_CACHE_LIMIT) SCALED_DECIMALS.set(decimal, scaled);
  }
  return scaled;
}

/** pointsForSale's denominator by currency exponent (0–3 in ISO 4217). */
const SALE_DENOMINATORS = [0n, 1n, 2n, 3n].map(
  (exponent) => MULTIPLIER_SCALE ** 5n * 10n ** exponent,
);

export function divideRounded(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  if (denominator <= 0n) throw new Error('denominator must be positive');
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  const quotient = n / denominator;
  const remainder = n % denominator;
  let magnitude = quotient;
  // Rounding is applied to the magnitude so a reversal mirrors the earn it undoes.
  if (rounding === 'ceil' && remainder > 0n) magnitude += 1n;
  if (rounding === 'round' && remainder * 2n >= denominator) magnitude += 1n;
  return negative ? -magnitude : magnitude;
}

export interface SaleLine {
  sku: string;
  category: string | null;
  amountMinor: bigint;
}

export interface EarnContext {
  occurredAt: Date;
  tier: TierDefinition;
  /** Birth month 1–12 of the customer, if known. */
  birthMonth: number | null;
  /** Tenant-local month 1–12 of occurredAt. */
  localMonth: number;
  currencyExponent: number;
}

/** Line multiplier: the most specific rule (SKU, then category), times the best active promotion. */
export function lineMultiplier(program: LoyaltyProgram, line: SaleLine, occurredAt: Date): bigint {
  const rules = program.earnRules;
  const sku = rules.skuMultipliers.find((rule) => rule.sku === line.sku);
  const category =
    line.category === null
      ? undefined
      : rules.categoryMultipliers.find((rule) => rule.category === line.category);
  const base = scaledMultiplier(sku?.multiplier ?? category?.multiplier ?? 1);
  let promotion = MULTIPLIER_SCALE;
  for (const promo of rules.promotions) {
    const active = occurredAt >= promo.from && occurredAt < promo.to;
    const applies =
      !promo.categories.length ||
      (line.category !== null && promo.categories.includes(line.category));
    // Promotions do not stack: the best one that applies wins.
    if (active && applies && scaledMultiplier(promo.multiplier) > promotion)
      promotion = scaledMultiplier(promo.multiplier);
  }
  return base * promotion;
}

/** Points a sale earns: Σ(amount × line multiplier) × tier × birthday × points per unit, rounded once. */
export function pointsForSale(
  program: LoyaltyProgram,
  lines: SaleLine[],
  context: EarnContext,
): number {
  let weighted = 0n;
  for (const line of lines)
    weighted += line.amountMinor * lineMultiplier(program, line, context.occurredAt);
  const birthday =
    program.earnRules.birthdayMonthMultiplier !== null &&
    context.birthMonth !== null &&
    context.birthMonth === context.localMonth
      ? scaledMultiplier(program.earnRules.birthdayMonthMultiplier)
      : MULTIPLIER_SCALE;
  const numerator =
    weighted *
    scaledMultiplier(context.tier.pointsMultiplier) *
    birthday *
    decimalToScaled(program.pointsPerUnit);
  const denominator =
    SALE_DENOMINATORS[context.currencyExponent] ??
    MULTIPLIER_SCALE ** 5n * 10n ** BigInt(context.currencyExponent);
  return Number(divideRounded(numerator, denominator, program.rounding));
}

/**
 * Points a (partial) return takes back. Computed on the cumulative returned amount so that a
 * sale returned in several parts reverses exactly its points in total, never a point more.
 */
export function pointsToReverse(
  salePoints: number,
  saleTotalMinor: bigint,
  returnedBeforeMinor: bigint,
  returnedNowMinor: bigint,
): number {
  if (salePoints <= 0 || saleTotalMinor <= 0n) return 0;
  const share = (returned: bigint) =>
    Number(
      divideRounded(
        BigInt(salePoints) * (returned > saleTotalMinor ? saleTotalMinor : returned),
        saleTotalMinor,
        'round',
      ),
    );
  return share(returnedBeforeMinor + returnedNowMinor) - share(returnedBeforeMinor);
}

export interface OpenLot {
  id: string;
  remaining: number;
  expiresAt: Date | null;
  earnedAt: Date;
  transactionId: string | null;
}

/** FIFO order: soonest expiry first (never-expiring last), then oldest. */
export function fifoOrder(lots: OpenLot[]): OpenLot[] {
  return [...lots].sort((a, b) => {
    const ae = a.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
    const be = b.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
    return ae - be || a.earnedAt.getTime() - b.earnedAt.getTime() || a.id.localeCompare(b.id);
  });
}

/**
 * Takes `points` from lots FIFO; `preferTransactionId` drains that sale's own lot first (a
 * return takes back the points it earned before touching older ones). Returns the lots'
 * new remaining values and what could not be covered.
 */
export function consumeLots(
  lots: OpenLot[],
  points: number,
  preferTransactionId?: string,
): { updates: { id: string; remaining: number }[]; shortfall: number } {
  const ordered = fifoOrder(lots);
  if (preferTransactionId) {
    ordered.sort(
      (a, b) =>
        Number(b.transactionId === preferTransactionId) -
        Number(a.transactionId === preferTransactionId),
    );
  }
  let left = points;
  const updates: { id: string; remaining: number }[] = [];
  for (const lot of ordered) {
    if (left <= 0) break;
    if (lot.remaining <= 0) continue;
    const take = Math.min(lot.remaining, left);
    lot.remaining -= take;
    left -= take;
    updates.push({ id: lot.id, remaining: lot.remaining });
  }
  return { updates, shortfall: left };
}

/**
 * What a new lot holds when the balance is negative (points taken back after they were spent):
 * new points first pay that debt, so open lots always sum to max(balance, 0).
 */
export function newLotRemaining(balanceBefore: number, points: number): number {
  return Math.max(0, Math.min(points, balanceBefore + points));
}

/** The highest-ranked tier whose spend or points threshold is met (the base tier always is). */
export function qualifiedTier(
  program: LoyaltyProgram,
  spend12mMinor: bigint,
  points12m: number,
): TierDefinition {
  let best = program.tiers[0];
  for (const tier of program.tiers) {
    const bySpend = tier.qualifySpend12m !== null && spend12mMinor >= tier.qualifySpend12m;
    const byPoints = tier.qualifyPoints !== null && points12m >= tier.qualifyPoints;
    const isBase = tier.qualifySpend12m === null && tier.qualifyPoints === null;
    if ((isBase || bySpend || byPoints) && tier.rank >= best.rank) best = tier;
  }
  return best;
}

export function nextTier(
  program: LoyaltyProgram,
  current: TierDefinition,
): TierDefinition | undefined {
  return program.tiers.find((tier) => tier.rank > current.rank);
}

/** Lot expiry: `months` calendar months after earning (clamped to the month's last day). */
export function expiryFor(earnedAt: Date, months: number | null): Date | null {
  if (months === null) return null;
  const d = new Date(earnedAt);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}
