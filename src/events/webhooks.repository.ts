import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/tx';

export interface WebhookRow {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  active: boolean;
  pii_allowed: boolean;
  consecutive_failures: number;
  disabled_reason: string | null;
  version: number;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export interface NewWebhook {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  secret: string;
  active: boolean;
  piiAllowed: boolean;
  createdBy: string;
  now: Date;
}

export interface WebhookChanges {
  url?: string;
  description?: string | null;
  events?: string[];
  active?: boolean;
  piiAllowed?: boolean;
  secret?: string;
  previousSecret?: string | null;
  previousSecretExpiresAt?: Date | null;
}

const COLUMNS = `id, url, description, events, secret, previous_secret, previous_secret_expires_at, active, pii_allowed,
  consecutive_failures, disabled_reason, version, created_by, created_at, updated_at`;

/** Column for each changeable field: the allow-list the UPDATE is built from. */
const CHANGE_COLUMNS: Record<keyof WebhookChanges, string> = {
  url: 'url',
  description: 'description',
  events: 'events',
  active: 'active',
  piiAllowed: 'pii_allowed',
  secret: 'secret',
  previousSecret: 'previous_secret',
  previousSecretExpiresAt: 'previous_secret_expires_at',
};

/** Webhook subscriptions of a tenant (secrets are stored encrypted by the service). */
@Injectable()
export class WebhooksRepository {
  async insert(tx: Tx, webhook: NewWebhook): Promise<WebhookRow> {
    const row = await tx.one<WebhookRow>(
      `INSERT INTO webhooks (tenant_id, id, url, description, events, secret, active, pii_allowed, created_by, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
       RETURNING ${COLUMNS}`,
      [
        tx.tenant,
        webhook.id,
        webhook.url,
        webhook.description,
        webhook.events,
        webhook.secret,
        webhook.active,
        webhook.piiAllowed,
        webhook.createdBy,
        webhook.now,
      ],
    );
    return row!;
  }

  async find(tx: Tx, id: string, forUpdate = false): Promise<WebhookRow | undefined> {
    return tx.one<WebhookRow>(
      `SELECT ${COLUMNS} FROM webhooks WHERE tenant_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
      [tx.tenant, id],
    );
  }

  async list(
    tx: Tx,
    after: { createdAt: string; id: string } | undefined,
    limit: number,
  ): Promise<WebhookRow[]> {
    return tx.query<WebhookRow>(
      `SELECT ${COLUMNS} FROM webhooks
        WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY created_at DESC, id DESC
        LIMIT $4`,
      [tx.tenant, after?.createdAt ?? null, after?.id ?? null, limit + 1],
    );
  }

  async activeForTenant(tx: Tx): Promise<WebhookRow[]> {
    return tx.query<WebhookRow>(`SELECT ${COLUMNS} FROM webhooks WHERE tenant_id = $1 AND active`, [
      tx.tenant,
    ]);
  }

  async update(tx: Tx, id: string, changes: WebhookChanges, now: Date): Promise<WebhookRow> {
    const sets: string[] = [];
    const params: unknown[] = [tx.tenant, id, now];
    for (const [field, value] of Object.entries(changes) as [keyof WebhookChanges, unknown][]) {
      if (value === undefined) continue;
      params.push(value);
      sets.push(`${CHANGE_COLUMNS[field]} = $${params.length}`);
    }
    // Switching a subscription back on starts its failure count afresh.
    if (changes.active === true) sets.push('consecutive_failures = 0', 'disabled_reason = NULL');
    const row = await tx.one<WebhookRow>(
      `UPDATE webhooks SET ${[...sets, 'version = version + 1', 'updated_at = $3'].join(', ')}
        WHERE tenant_id = $1 AND id = $2
        RETURNING ${COLUMNS}`,
      params,
    );
    return row!;
  }

  async delete(tx: Tx, id: string): Promise<boolean> {
    return (
      (await tx.count(`DELETE FROM webhooks WHERE tenant_id = $1 AND id = $2`, [tx.tenant, id])) > 0
    );
  }

  /** Adds this batch's outcome to the failure streak; a success in the batch restarts it. */
  async recordOutcomes(
    tx: Tx,
    webhookId: string,
    successes: number,
    failuresAfterLastSuccess: number,
  ): Promise<WebhookRow | undefined> {
    return tx.one<WebhookRow>(
      // A no-op (successes on a healthy subscription, the common case) writes nothing and
      // takes no row lock, so concurrent batches of one subscription do not queue on its row.
      `UPDATE webhooks
          SET consecutive_failures = CASE WHEN $3 > 0 THEN $4 ELSE consecutive_failures + $4 END
        WHERE tenant_id = $1 AND id = $2
          AND consecutive_failures IS DISTINCT FROM (CASE WHEN $3 > 0 THEN $4 ELSE consecutive_failures + $4 END)
        RETURNING ${COLUMNS}`,
      [tx.tenant, webhookId, successes, failuresAfterLastSuccess],
    );
  }

  async disable(tx: Tx, id: string, reason: string, now: Date): Promise<void> {
    await tx.query(
      `UPDATE webhooks SET active = false, disabled_reason = $3, version = version + 1, updated_at = $4
        WHERE tenant_id = $1 AND id = $2`,
      [tx.tenant, id, reason, now],
    );
  }

  /** Tenants that have at least one active subscription: the dispatcher's round-robin list. */
  async tenantsWithActiveWebhooks(system: Tx): Promise<string[]> {
    const rows = await system.query<{ tenant_id: string }>(
      `SELECT DISTINCT tenant_id FROM webhooks WHERE active`,
    );
    return rows.map((r) => r.tenant_id);
  }
}
