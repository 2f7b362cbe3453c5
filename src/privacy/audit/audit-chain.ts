import { createHash } from 'node:crypto';

/** What the chain hash covers: every stored column except the hash itself. */
export interface ChainedEntry {
  tenantId: string;
  seq: number;
  id: string;
  occurredAt: string;
  actorKind: string;
  actorId: string;
  action: string;
  resource: string;
  customerIds: string[];
  fields: string[];
  outcome: string;
  requestId: string | null;
  ip: string | null;
  details: unknown;
  prevHash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted at every level: jsonb gives keys back in its own order, so
 * the hash must not depend on key order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function chainHash(entry: ChainedEntry): string {
  const material = canonicalJson([
    entry.prevHash,
    entry.tenantId,
    entry.seq,
    entry.id,
    entry.occurredAt,
    entry.actorKind,
    entry.actorId,
    entry.action,
    entry.resource,
    entry.customerIds,
    entry.fields,
    entry.outcome,
    entry.requestId,
    entry.ip,
    entry.details ?? null,
  ]);
  return createHash('sha256').update(material).digest('hex');
}

export interface ChainBreak {
  seq: number;
  id: string;
  reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'missing_entry';
}

/**
 * Walks entries in seq order from a known predecessor and returns the first broken link:
 * a row whose content no longer matches its hash, whose prev_hash is not its predecessor's
 * hash, or a gap in seq (a deleted row).
 */
export function findBreak(
  entries: (ChainedEntry & { hash: string })[],
  previous: { seq: number; hash: string },
): { break: ChainBreak | null; last: { seq: number; hash: string } } {
  let last = previous;
  for (const entry of entries) {
    if (entry.seq !== last.seq + 1)
      return { break: { seq: entry.seq, id: entry.id, reason: 'missing_entry' }, last };
    if (entry.prevHash !== last.hash)
      return { break: { seq: entry.seq, id: entry.id, reason: 'prev_hash_mismatch' }, last };
    if (chainHash(entry) !== entry.hash)
      return { break: { seq: entry.seq, id: entry.id, reason: 'hash_mismatch' }, last };
    last = { seq: entry.seq, hash: entry.hash };
  }
  return { break: null, last };
}
