/** The loyalty program as the services use it (amounts in minor units, multipliers as numbers). */
export type Rounding = 'floor' | 'round' | 'ceil';

export interface TierDefinition {
  code: string;
  name: string;
  rank: number;
  /** Net spend over the last 12 months that qualifies, minor units; null = not a criterion. */
  qualifySpend12m: bigint | null;
  /** Points earned over the last 12 months that qualify; null = not a criterion. */
  qualifyPoints: number | null;
  pointsMultiplier: number;
  benefits: Record<string, unknown>;
}

export interface Promotion {
  name: string;
  from: Date;
  to: Date;
  multiplier: number;
  /** Empty = every line. */
  categories: string[];
}

export interface EarnRules {
  categoryMultipliers: { category: string; multiplier: number }[];
  skuMultipliers: { sku: string; multiplier: number }[];
  birthdayMonthMultiplier: number | null;
  promotions: Promotion[];
}

export interface LoyaltyProgram {
  currency: string;
  /** Decimal string, e.g. "1" or "0.5": points per whole currency unit. */
  pointsPerUnit: string;
  rounding: Rounding;
  /** null = points never expire. */
  expiryMonths: number | null;
  /** Sorted by rank ascending; the first is the base tier every member starts in. */
  tiers: TierDefinition[];
  earnRules: EarnRules;
  version: number;
  updatedAt: Date | null;
}

export const EMPTY_EARN_RULES: EarnRules = {
  categoryMultipliers: [],
  skuMultipliers: [],
  birthdayMonthMultiplier: null,
  promotions: [],
};

/** API.md: the tenant currency, 1 point per whole unit, 24-month expiry, one base tier `member`. */
export function defaultProgram(currency: string): LoyaltyProgram {
  return {
    currency,
    pointsPerUnit: '1',
    rounding: 'floor',
    expiryMonths: 24,
    tiers: [
      {
        code: 'member',
        name: 'Member',
        rank: 0,
        qualifySpend12m: null,
        qualifyPoints: null,
        pointsMultiplier: 1,
        benefits: {},
      },
    ],
    earnRules: EMPTY_EARN_RULES,
    version: 0,
    updatedAt: null,
  };
}

export function baseTier(program: LoyaltyProgram): TierDefinition {
  return program.tiers[0];
}

export function tierByCode(
  program: LoyaltyProgram,
  code: string | null | undefined,
): TierDefinition {
  return program.tiers.find((tier) => tier.code === code) ?? baseTier(program);
}

/** Stored form (jsonb) of tiers and rules: bigint and dates as strings. */
export interface StoredTier {
  code: string;
  name: string;
  rank: number;
  qualifySpend12m: string | null;
  qualifyPoints: number | null;
  pointsMultiplier: number;
  benefits: Record<string, unknown>;
}

export interface StoredEarnRules {
  categoryMultipliers?: { category: string; multiplier: number }[];
  skuMultipliers?: { sku: string; multiplier: number }[];
  birthdayMonthMultiplier?: number | null;
  promotions?: {
    name: string;
    from: string;
    to: string;
    multiplier: number;
    categories?: string[];
  }[];
}

export function tiersFromStored(stored: StoredTier[]): TierDefinition[] {
  return stored
    .map((tier) => ({
      ...tier,
      qualifySpend12m: tier.qualifySpend12m === null ? null : BigInt(tier.qualifySpend12m),
      benefits: tier.benefits ?? {},
    }))
    .sort((a, b) => a.rank - b.rank);
}

export function tiersToStored(tiers: TierDefinition[]): StoredTier[] {
  return tiers.map((tier) => ({
    ...tier,
    qualifySpend12m: tier.qualifySpend12m === null ? null : tier.qualifySpend12m.toString(),
  }));
}

export function earnRulesFromStored(stored: StoredEarnRules): EarnRules {
  return {
    categoryMultipliers: stored.categoryMultipliers ?? [],
    skuMultipliers: stored.skuMultipliers ?? [],
    birthdayMonthMultiplier: stored.birthdayMonthMultiplier ?? null,
    promotions: (stored.promotions ?? []).map((p) => ({
      ...p,
      from: new Date(p.from),
      to: new Date(p.to),
      categories: p.categories ?? [],
    })),
  };
}

export function earnRulesToStored(rules: EarnRules): StoredEarnRules {
  return {
    ...rules,
    promotions: rules.promotions.map((p) => ({
      ...p,
      from: p.from.toISOString(),
      to: p.to.toISOString(),
    })),
  };
}
