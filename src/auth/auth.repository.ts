import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import type { StaffRole } from './principal';

export interface TenantRow {
  id: string;
  slug: string;
  name: string;
  currency: string;
  region: string;
  time_zone: string;
  settings: Record<string, unknown>;
  created_at: Date;
}

export interface ApiClientRow {
  tenant_id: string;
  id: string;
  client_id: string;
  secret_hash: string;
  name: string;
  scopes: string[];
  active: boolean;
}

export interface StaffUserRow {
  tenant_id: string;
  id: string;
  email: string;
  password_hash: string;
  name: string;
  role: StaffRole;
  store_id: string | null;
  failed_logins: number;
  locked_until: Date | null;
  active: boolean;
}

const TENANT_COLUMNS = 'id, slug, name, currency, region, time_zone, settings, created_at';

/**
 * Tenants, API clients and staff users. Token issue and login happen before any tenant is
 * known, so these look-ups run as system queries; everything else goes through a Tx.
 */
@Injectable()
export class AuthRepository {
  constructor(private readonly database: Database) {}

  async countTenants(): Promise<number> {
    const rows = await this.database.systemQuery<{ count: string }>('SELECT count(*) FROM tenants');
    return Number(rows[0].count);
  }

  async findTenantBySlug(slug: string): Promise<TenantRow | undefined> {
    const rows = await this.database.systemQuery<TenantRow>(
      `SELECT ${TENANT_COLUMNS} FROM tenants WHERE slug = $1`,
      [slug],
    );
    return rows[0];
  }

  async findTenantById(id: string): Promise<TenantRow | undefined> {
    const rows = await this.database.systemQuery<TenantRow>(
      `SELECT ${TENANT_COLUMNS} FROM tenants WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  async listTenants(): Promise<TenantRow[]> {
    return this.database.systemQuery<TenantRow>(
      `SELECT ${TENANT_COLUMNS} FROM tenants ORDER BY created_at`,
    );
  }

  async insertTenant(tx: Tx, tenant: Omit<TenantRow, 'created_at'>): Promise<TenantRow> {
    const row = await tx.one<TenantRow>(
      `INSERT INTO tenants (id, slug, name, currency, region, time_zone, settings)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${TENANT_COLUMNS}`,
      [
        tenant.id,
        tenant.slug,
        tenant.name,
        tenant.currency,
        tenant.region,
        tenant.time_zone,
        tenant.settings,
      ],
    );
    return row!;
  }

  async findClientByClientId(clientId: string): Promise<ApiClientRow | undefined> {
    const rows = await this.database.systemQuery<ApiClientRow>(
      `SELECT tenant_id, id, client_id, secret_hash, name, scopes, active FROM api_clients WHERE client_id = $1`,
      [clientId],
    );
    return rows[0];
  }

  async insertClient(tx: Tx, client: ApiClientRow): Promise<void> {
    await tx.query(
      `INSERT INTO api_clients (tenant_id, id, client_id, secret_hash, name, scopes, active)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        client.tenant_id,
        client.id,
        client.client_id,
        client.secret_hash,
        client.name,
        client.scopes,
        client.active,
      ],
    );
  }

  async touchClient(clientId: string): Promise<void> {
    await this.database.systemQuery(
      `UPDATE api_clients SET last_used_at = now() WHERE client_id = $1`,
      [clientId],
    );
  }

  async findStaffByEmail(tenantId: string, email: string): Promise<StaffUserRow | undefined> {
    const rows = await this.database.systemQuery<StaffUserRow>(
      `SELECT tenant_id, id, email, password_hash, name, role, store_id, failed_logins, locked_until, active
         FROM staff_users WHERE tenant_id = $1 AND lower(email) = lower($2)`,
      [tenantId, email],
    );
    return rows[0];
  }

  async insertStaff(
    tx: Tx,
    staff: Omit<StaffUserRow, 'failed_logins' | 'locked_until'>,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO staff_users (tenant_id, id, email, password_hash, name, role, store_id, active)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        staff.tenant_id,
        staff.id,
        staff.email,
        staff.password_hash,
        staff.name,
        staff.role,
        staff.store_id,
        staff.active,
      ],
    );
  }

  /** Counts a failed password; locks the account once the count reaches maxFailures. */
  async recordLoginFailure(
    tenantId: string,
    staffId: string,
    maxFailures: number,
    lockMinutes: number,
  ): Promise<void> {
    await this.database.systemQuery(
      `UPDATE staff_users
          SET failed_logins = failed_logins + 1,
              locked_until = CASE WHEN failed_logins + 1 >= $3 THEN now() + make_interval(mins => $4) ELSE locked_until END
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, staffId, maxFailures, lockMinutes],
    );
  }

  async recordLoginSuccess(tenantId: string, staffId: string): Promise<void> {
    await this.database.systemQuery(
      `UPDATE staff_users SET failed_logins = 0, locked_until = NULL, last_login_at = now() WHERE tenant_id = $1 AND id = $2`,
      [tenantId, staffId],
    );
  }
}
