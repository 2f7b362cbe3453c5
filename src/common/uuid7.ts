import { randomBytesPooled } from './random-pool';

/** The time the caller last asked for, and the one last written (later after overflows). */
let lastNow = 0;
let lastMs = 0;
let sequence = 0;

/**
 * UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits, so ids sort by creation time
 * and index inserts stay append-mostly. A 12-bit counter keeps ids from one process monotonic
 * within the same millisecond; when it overflows, the id borrows the next millisecond (RFC
 * 9562 §6.2, method 3). Why: an import batch takes all its ids at the batch's time, 5,000
 * customers and 15,000 identities, and a wrapping counter made them interleave — inserts
 * into the middle of the primary keys (page splits in half) instead of onto their right edge.
 */
export function uuid7(now: number = Date.now()): string {
  if (now === lastNow) {
    sequence = (sequence + 1) & 0xfff;
    if (sequence === 0) lastMs++;
  } else {
    lastNow = now;
    lastMs = now;
    sequence = randomBytesPooled(2).readUInt16BE(0) & 0x7ff;
  }
  const bytes = randomBytesPooled(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}
