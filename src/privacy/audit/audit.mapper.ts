import type { AuditRow } from './audit.repository';
import type { AuditEntryModel } from './dto/audit.dto';

export function toAuditEntryModel(row: AuditRow): AuditEntryModel {
  return {
    id: row.id,
    seq: Number(row.seq),
    occurredAt: row.occurred_at.toISOString(),
    actorKind: row.actor_kind,
    actor: row.actor_id,
    action: row.action,
    resource: row.resource,
    customerIds: row.customer_ids,
    fields: row.fields,
    outcome: row.outcome,
    requestId: row.request_id,
    ip: row.ip,
    details: (row.details as Record<string, unknown> | null) ?? null,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
