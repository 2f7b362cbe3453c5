import type { ConsentEventRow, ConsentStateRow } from './consent.repository';
import { GUARDIAN_PURPOSES, type ConsentPurpose } from './consent.rules';
import type { ConsentEventModel, ConsentStateModel } from './dto/consent.model';

export function toConsentEventModel(row: ConsentEventRow): ConsentEventModel {
  const evidence = row.evidence as Record<string, string | null | undefined>;
  return {
    id: row.id,
    customerId: row.customer_id,
    purpose: row.purpose,
    channel: row.channel || null,
    status: row.status,
    source: row.source,
    evidence: {
      method: evidence.method ?? '',
      noticeVersion: evidence.noticeVersion ?? '',
      capturedBy: evidence.capturedBy ?? null,
      ip: evidence.ip ?? null,
    },
    // After an erasure only the fact that a guardian consented remains.
    guardian: row.guardian
      ? { name: row.guardian.name ?? '[erased]', relation: row.guardian.relation ?? '[erased]' }
      : null,
    recordedBy: row.actor,
    occurredAt: row.occurred_at.toISOString(),
    recordedAt: row.created_at.toISOString(),
  };
}

export function toConsentStateModel(
  row: ConsentStateRow,
  context: { minor: boolean; restricted: boolean },
): ConsentStateModel {
  const guarded = GUARDIAN_PURPOSES.includes(row.purpose as ConsentPurpose);
  const effective =
    row.status === 'granted' &&
    !(guarded && context.restricted) &&
    !(guarded && context.minor && !row.guardian);
  return {
    purpose: row.purpose,
    channel: row.channel || null,
    status: row.status,
    effective,
    guardian: row.guardian,
    source: row.source,
    since: row.occurred_at.toISOString(),
  };
}

/**
 * The `consents` block of the customer view: `{ marketing: { sms: true, email: false },
 * analytics: true, restricted: false }` — true where granted (restriction not applied here;
 * `restricted` says so).
 */
export function toConsentSummary(
  customerIds: string[],
  states: Pick<ConsentStateRow, 'customer_id' | 'purpose' | 'channel' | 'status'>[],
  restricted: Set<string>,
): Map<string, unknown> {
  const out = new Map<string, Record<string, unknown>>(
    customerIds.map((id) => [id, { restricted: restricted.has(id) }]),
  );
  for (const s of states) {
    const block = out.get(s.customer_id);
    if (!block) continue;
    const granted = s.status === 'granted';
    if (s.channel) {
      const channels = (block[s.purpose] as Record<string, boolean> | undefined) ?? {};
      channels[s.channel] = granted;
      block[s.purpose] = channels;
    } else {
      block[s.purpose] = granted;
    }
  }
  return out;
}
