import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';
import { CompletenessWeights, DEFAULT_COMPLETENESS_WEIGHTS } from './customer-completeness';

export interface CustomerTenantSettings {
  /** Default phone region, ISO 3166-1 alpha-2. */
  region: string;
  timeZone: string;
  memberNoPrefix: string;
  completenessWeights: CompletenessWeights;
  /** Days after which an unconfirmed profile gets a follow-up (the manuals' half-year update). */
  profileConfirmDays: number;
  /** Days after the first purchase for the welcome call; null turns the rule off. */
  welcomeCallDays: number | null;
}

const TTL_MS = 30_000;

function positiveInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}

/**
 * The tenant settings the customers feature reads on every write and look-up, cached briefly
 * so the POS look-up does not pay an extra query for the tenant's phone region.
 */
@Injectable()
export class CustomerTenantSettingsService {
  private readonly cache = new Map<string, { at: number; settings: CustomerTenantSettings }>();

  async get(tx: Tx): Promise<CustomerTenantSettings> {
    const tenantId = tx.tenant;
    const hit = this.cache.get(tenantId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.settings;
    const row = await tx.one<{
      region: string;
      time_zone: string;
      settings: Record<string, unknown>;
    }>(`SELECT region, time_zone, settings FROM tenants WHERE id = $1`, [tenantId]);
    const raw = (row?.settings ?? {}) as Record<string, unknown>;
    const customers = (raw.customers ?? {}) as Record<string, unknown>;
    const weights = customers.completenessWeights as Partial<CompletenessWeights> | undefined;
    const settings: CustomerTenantSettings = {
      region: (row?.region ?? 'CN').trim(),
      timeZone: row?.time_zone ?? 'Asia/Shanghai',
      memberNoPrefix:
        typeof customers.memberNoPrefix === 'string' ? customers.memberNoPrefix.toUpperCase() : 'M',
      completenessWeights:
        weights && typeof weights.hard === 'number' && typeof weights.soft === 'number'
          ? { hard: weights.hard, soft: weights.soft }
          : DEFAULT_COMPLETENESS_WEIGHTS,
      profileConfirmDays: positiveInt(customers.profileConfirmDays, 180),
      welcomeCallDays:
        customers.welcomeCallDays === null ? null : positiveInt(customers.welcomeCallDays, 3),
    };
    this.cache.set(tenantId, { at: Date.now(), settings });
    return settings;
  }
}
