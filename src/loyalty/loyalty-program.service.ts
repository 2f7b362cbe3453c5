import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { fromMinorUnits, isCurrency, toMinorUnits } from '../common/money';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { LoyaltyProgramInput, LoyaltyProgramModel } from './dto/loyalty-program.input';
import {
  defaultProgram,
  earnRulesFromStored,
  earnRulesToStored,
  LoyaltyProgram,
  tiersFromStored,
  tiersToStored,
  TierDefinition,
} from './loyalty-program';
import { LoyaltyRepository, ProgramRow } from './loyalty.repository';

export interface ProgramContext {
  program: LoyaltyProgram;
  timeZone: string;
  /** Currencies accepted on transactions: the program's plus tenant settings `currencies`. */
  currencies: string[];
  /** Tenant setting `claimWindowDays`, default 30. */
  claimWindowDays: number;
  /** Tenant setting `lapsedAfterDays`, default 180. */
  lapsedAfterDays: number;
}

function fromRow(row: ProgramRow): LoyaltyProgram {
  return {
    currency: row.currency,
    pointsPerUnit: row.points_per_unit.replace(/\.?0+$/, '') || '0',
    rounding: row.rounding,
    expiryMonths: row.expiry_months,
    tiers: tiersFromStored(row.tiers),
    earnRules: earnRulesFromStored(row.earn_rules),
    version: row.version,
    updatedAt: row.updated_at,
  };
}

export function toProgramModel(program: LoyaltyProgram): LoyaltyProgramModel {
  const stored = earnRulesToStored(program.earnRules);
  return {
    currency: program.currency,
    pointsPerUnit: program.pointsPerUnit,
    rounding: program.rounding,
    expiryMonths: program.expiryMonths,
    tiers: tiersToStored(program.tiers).map((tier) => ({
      ...tier,
      qualifySpend12m:
        tier.qualifySpend12m === null
          ? null
          : fromMinorUnits(tier.qualifySpend12m, program.currency),
    })),
    earnRules: {
      categoryMultipliers: stored.categoryMultipliers ?? [],
      skuMultipliers: stored.skuMultipliers ?? [],
      birthdayMonthMultiplier: stored.birthdayMonthMultiplier ?? null,
      promotions: (stored.promotions ?? []).map((p) => ({ ...p, categories: p.categories ?? [] })),
    },
    version: program.version,
    updatedAt: program.updatedAt ? program.updatedAt.toISOString() : null,
  };
}

/** The tenant's loyalty program: read (default until first saved), validated replace. */
@Injectable()
export class LoyaltyProgramService {
  constructor(
    private readonly database: Database,
    private readonly repository: LoyaltyRepository,
  ) {}

  async get(principal: Principal): Promise<LoyaltyProgramModel> {
    return this.database.withTenant(principal.tenantId, async (tx) =>
      toProgramModel((await this.load(tx)).program),
    );
  }

  /** The program and tenant settings a posting needs, in the caller's transaction. */
  async load(tx: Tx): Promise<ProgramContext> {
    const { program: row, tenant } = await this.repository.findProgramAndTenant(tx);
    // Lazily defaulted: tenants created before this feature existed get the same program.
    const program = row ? fromRow(row) : defaultProgram(tenant.currency.trim());
    const settings = tenant.settings ?? {};
    const extra = Array.isArray(settings.currencies)
      ? settings.currencies.filter((c): c is string => typeof c === 'string')
      : [];
    return {
      program,
      timeZone: tenant.time_zone,
      currencies: [...new Set([program.currency, ...extra])],
      claimWindowDays: typeof settings.claimWindowDays === 'number' ? settings.claimWindowDays : 30,
      lapsedAfterDays:
        typeof settings.lapsedAfterDays === 'number' ? settings.lapsedAfterDays : 180,
    };
  }

  async put(principal: Principal, input: LoyaltyProgramInput): Promise<LoyaltyProgramModel> {
    const tiers = validateProgram(input);
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const row = await this.repository.saveProgram(tx, {
        currency: input.currency,
        pointsPerUnit: input.pointsPerUnit,
        rounding: input.rounding,
        expiryMonths: input.expiryMonths ?? null,
        tiers: tiersToStored(tiers),
        earnRules: earnRulesToStored({
          categoryMultipliers: input.earnRules?.categoryMultipliers ?? [],
          skuMultipliers: input.earnRules?.skuMultipliers ?? [],
          birthdayMonthMultiplier: input.earnRules?.birthdayMonthMultiplier ?? null,
          promotions: (input.earnRules?.promotions ?? []).map((p) => ({
            name: p.name,
            from: new Date(p.from),
            to: new Date(p.to),
            multiplier: p.multiplier,
            categories: p.categories ?? [],
          })),
        }),
      });
      return toProgramModel(fromRow(row));
    });
  }
}

/** Rules class-validator cannot express: uniqueness, a base tier, money in the currency, date order. */
export function validateProgram(input: LoyaltyProgramInput): TierDefinition[] {
  const errors: FieldError[] = [];
  if (!isCurrency(input.currency))
    errors.push({
      field: 'currency',
      code: 'unknown_currency',
      message: `Unknown currency "${input.currency}".`,
    });
  if (Number(input.pointsPerUnit) <= 0)
    errors.push({
      field: 'pointsPerUnit',
      code: 'too_small',
      message: 'pointsPerUnit must be above 0.',
    });
  const codes = new Set<string>();
  const ranks = new Set<number>();
  const tiers: TierDefinition[] = [];
  input.tiers.forEach((tier, i) => {
    if (codes.has(tier.code))
      errors.push({
        field: `tiers[${i}].code`,
        code: 'duplicate',
        message: `Tier code "${tier.code}" appears twice.`,
      });
    if (ranks.has(tier.rank))
      errors.push({
        field: `tiers[${i}].rank`,
        code: 'duplicate',
        message: `Tier rank ${tier.rank} appears twice.`,
      });
    codes.add(tier.code);
    ranks.add(tier.rank);
    let spend: bigint | null = null;
    if (
      tier.qualifySpend12m !== undefined &&
      tier.qualifySpend12m !== null &&
      isCurrency(input.currency)
    ) {
      try {
        spend = toMinorUnits(tier.qualifySpend12m, input.currency, `tiers[${i}].qualifySpend12m`);
      } catch (error) {
        if (error instanceof DomainError) errors.push(...(error.options.errors ?? []));
        else throw error;
      }
    }
    tiers.push({
      code: tier.code,
      name: tier.name,
      rank: tier.rank,
      qualifySpend12m: spend,
      qualifyPoints: tier.qualifyPoints ?? null,
      pointsMultiplier: tier.pointsMultiplier,
      benefits: tier.benefits ?? {},
    });
  });
  tiers.sort((a, b) => a.rank - b.rank);
  const base = tiers[0];
  if (base && (base.qualifySpend12m !== null || base.qualifyPoints !== null)) {
    const i = input.tiers.findIndex((t) => t.code === base.code);
    errors.push({
      field: `tiers[${i}]`,
      code: 'base_tier_has_threshold',
      message: 'The lowest-ranked tier is the base tier and has no qualifying threshold.',
    });
  }
  tiers.slice(1).forEach((tier) => {
    if (tier.qualifySpend12m === null && tier.qualifyPoints === null) {
      const i = input.tiers.findIndex((t) => t.code === tier.code);
      errors.push({
        field: `tiers[${i}]`,
        code: 'threshold_required',
        message: `Tier "${tier.code}" needs qualifySpend12m and/or qualifyPoints.`,
      });
    }
  });
  const rules = input.earnRules;
  const duplicates = <T>(list: T[] | undefined, key: (item: T) => string, field: string) => {
    const seen = new Set<string>();
    (list ?? []).forEach((item, i) => {
      if (seen.has(key(item)))
        errors.push({
          field: `earnRules.${field}[${i}]`,
          code: 'duplicate',
          message: `"${key(item)}" appears twice.`,
        });
      seen.add(key(item));
    });
  };
  duplicates(rules?.categoryMultipliers, (r) => r.category, 'categoryMultipliers');
  duplicates(rules?.skuMultipliers, (r) => r.sku, 'skuMultipliers');
  (rules?.promotions ?? []).forEach((promo, i) => {
    if (Date.parse(promo.from) >= Date.parse(promo.to)) {
      errors.push({
        field: `earnRules.promotions[${i}].to`,
        code: 'before_from',
        message: 'A promotion ends after it starts.',
      });
    }
  });
  if (errors.length) throw DomainError.validation(errors);
  return tiers;
}
