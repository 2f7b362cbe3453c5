import type { AttemptRow, DeliveryRow } from './deliveries.repository';
import type { EventModel } from './dto/event.model';
import type { DeliveryAttemptModel, DeliveryModel, WebhookModel } from './dto/webhook.model';
import type { EventRow } from './events.repository';
import { redactPii } from './pii-redaction';
import type { WebhookRow } from './webhooks.repository';

/** The public form of an event; personal data stays only for readers holding `pii:read`. */
export function toEventModel(row: EventRow, piiAllowed: boolean): EventModel {
  return {
    id: row.id,
    seq: String(row.seq),
    type: row.type,
    customerId: row.customer_id,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    occurredAt: row.created_at.toISOString(),
    data: (piiAllowed ? row.payload : redactPii(row.payload)) as Record<string, unknown>,
  };
}

export function toWebhookModel(row: WebhookRow, secret?: string): WebhookModel {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events,
    active: row.active,
    disabledReason: row.disabled_reason,
    consecutiveFailures: row.consecutive_failures,
    piiAllowed: row.pii_allowed,
    ...(secret ? { secret } : {}),
    previousSecretExpiresAt: row.previous_secret
      ? (row.previous_secret_expires_at?.toISOString() ?? null)
      : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toAttemptModel(row: AttemptRow): DeliveryAttemptModel {
  return {
    attemptedAt: row.attempted_at.toISOString(),
    outcome: row.outcome,
    statusCode: row.status_code,
    latencyMs: row.latency_ms,
    error: row.error,
  };
}

export function toDeliveryModel(row: DeliveryRow, attempts: AttemptRow[]): DeliveryModel {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    eventType: row.event_type,
    eventSeq: String(row.event_seq),
    customerId: row.customer_id,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
    lastStatusCode: row.last_status_code,
    lastLatencyMs: row.last_latency_ms,
    lastError: row.last_error,
    redeliveryOf: row.redelivery_of,
    attemptLog: attempts.map(toAttemptModel),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
