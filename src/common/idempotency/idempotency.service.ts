import { hash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Database } from '../../database/database.service';
import { DomainError } from '../errors/domain-error';

export interface IdempotencyClaim {
  tenantId: string;
  principal: string;
  key: string;
}

export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** A pending claim older than this is taken to belong to a crashed request and may be retaken. */
const ABANDONED_AFTER_SECONDS = 60;

/** Stable JSON: object keys sorted, so the same body always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(method: string, path: string, body: unknown): string {
  return requestHashOfCanonical(method, path, canonical(body));
}

/**
 * The hash of a body already in canonical text. One-shot crypto.hash: a Hash object with
 * update and digest cost ~1.5 µs more a call, and a batch hashes each of its 1,000 receipts.
 */
export function requestHashOfCanonical(
  method: string,
  path: string,
  canonicalBody: string,
): string {
  return hash('sha256', `${method} ${path}\n${canonicalBody}`, 'hex');
}

const dropped = (value: unknown) =>
  value === undefined || typeof value === 'function' || typeof value === 'symbol';

/** JSON text of object keys seen before: a batch hashes the same few dozen keys thousands of times. */
const KEY_TEXT = new Map<string, string>();
const KEY_TEXT_LIMIT = 1024;

function keyText(key: string): string {
  let text = KEY_TEXT.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (KEY_TEXT.size < KEY_TEXT_LIMIT) KEY_TEXT.set(key, text);
  }
  return text;
}

/**
 * Object.keys(object).sort(), sorted in place for the few keys of a body's objects: the
 * built-in sort allocates ~800 bytes of workspace per call, 2 MB of garbage for a 500-receipt
 * batch. Insertion sort with `<` orders by UTF-16 code units, as the default sort does.
 */
function sortedKeys(object: object): string[] {
  const keys = Object.keys(object);
  if (keys.length > 32) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * canonical(JSON.parse(JSON.stringify(value))) in one pass, without the round trip's two
 * copies (a batch hashed 500 of them): what JSON.stringify drops from objects is dropped, is
 * null in arrays, and toJSON is honoured — the same text, so the same hash. Strings and
 * finite numbers, most of a receipt, are written without the generic path.
 */
export function canonicalOfJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  // JSON writes a finite number as String does (-0 as 0), any other as null.
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (!value || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  let v: unknown = value;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON(): unknown }).toJSON();
    if (!v || typeof v !== 'object') return canonicalOfJson(v);
  }
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      if (i) out += ',';
      out += dropped(v[i]) ? 'null' : canonicalOfJson(v[i]);
    }
    return `${out}]`;
  }
  const object = v as Record<string, unknown>;
  const keys = sortedKeys(object);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const item = object[keys[i]];
    if (dropped(item)) continue;
    if (out.length > 1) out += ',';
    out += `${keyText(keys[i])}:${canonicalOfJson(item)}`;
  }
  return `${out}}`;
}

/** requestHash of `value` as it would be sent as JSON (undefined fields absent, Dates as text). */
export function requestHashOfJson(method: string, path: string, value: unknown): string {
  return requestHashOfCanonical(method, path, canonicalOfJson(value));
}

/**
 * Idempotency-Key records per (tenant, caller, key): the first request claims the key, its
 * response is stored, and a retry gets that response again instead of doing the work twice.
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly database: Database) {}

  /** Returns undefined when the caller should proceed, or the stored response to replay. */
  async claim(
    claim: IdempotencyClaim,
    method: string,
    path: string,
    hash: string,
  ): Promise<StoredResponse | undefined> {
    return this.database.withTenant(claim.tenantId, async (tx) => {
      const inserted = await tx.count(
        `INSERT INTO idempotency_keys (tenant_id, principal, key, method, path, request_hash, state)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending') ON CONFLICT DO NOTHING`,
        [claim.tenantId, claim.principal, claim.key, method, path, hash],
      );
      if (inserted === 1) return undefined;
      const existing = await tx.one<{
        request_hash: string;
        state: string;
        response_status: number;
        response_body: unknown;
        response_headers: Record<string, string> | null;
        abandoned: boolean;
      }>(
        `SELECT request_hash, state, response_status, response_body, response_headers,
                created_at < now() - make_interval(secs => $4) AS abandoned
           FROM idempotency_keys WHERE tenant_id = $1 AND principal = $2 AND key = $3 FOR UPDATE`,
        [claim.tenantId, claim.principal, claim.key, ABANDONED_AFTER_SECONDS],
      );
      if (!existing) return undefined;
      if (existing.request_hash !== hash) {
        throw new DomainError(
          'idempotency_key_reuse',
          'This Idempotency-Key was used with a different request.',
        );
      }
      if (existing.state === 'done') {
        return {
          status: existing.response_status,
          body: existing.response_body,
          headers: existing.response_headers ?? {},
        };
      }
      if (!existing.abandoned) {
        throw new DomainError(
          'idempotency_in_progress',
          'The first request with this Idempotency-Key is still running; retry shortly.',
          {
            headers: { 'Retry-After': '1' },
          },
        );
      }
      await tx.query(
        `UPDATE idempotency_keys SET created_at = now() WHERE tenant_id = $1 AND principal = $2 AND key = $3`,
        [claim.tenantId, claim.principal, claim.key],
      );
      return undefined;
    });
  }

  async complete(claim: IdempotencyClaim, response: StoredResponse): Promise<void> {
    await this.database.withTenant(claim.tenantId, (tx) =>
      tx.query(
        `UPDATE idempotency_keys
            SET state = 'done', response_status = $4, response_body = $5, response_headers = $6, completed_at = now()
          WHERE tenant_id = $1 AND principal = $2 AND key = $3`,
        [
          claim.tenantId,
          claim.principal,
          claim.key,
          response.status,
          JSON.stringify(response.body ?? null),
          response.headers,
        ],
      ),
    );
  }

  /** A server error keeps nothing, so the caller may retry with the same key. */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.database.withTenant(claim.tenantId, (tx) =>
      tx.query(
        `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND principal = $2 AND key = $3 AND state = 'pending'`,
        [claim.tenantId, claim.principal, claim.key],
      ),
    );
  }
}
