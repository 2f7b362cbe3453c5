import type { TenantRow } from './auth.repository';
import type { MeModel, TenantModel } from './dto/tenant.model';
import type { Principal } from './principal';

export function toTenantModel(row: TenantRow): TenantModel {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    currency: row.currency,
    region: row.region,
    timeZone: row.time_zone,
    createdAt: row.created_at.toISOString(),
  };
}

export function toMeModel(principal: Principal): MeModel {
  return {
    kind: principal.kind,
    subject: principal.subject,
    tenant: principal.tenantSlug,
    scopes: [...principal.scopes].sort(),
    role: principal.role ?? null,
    storeId: principal.storeId ?? null,
  };
}
