import { randomFillSync } from 'node:crypto';

const POOL = Buffer.allocUnsafe(16 * 1024);
let offset = POOL.length;

/**
 * `size` cryptographically random bytes (a fresh copy), cut from a pool refilled 16 KB at a
 * time, as `crypto.randomUUID` does: one call into OpenSSL per few hundred ids or IVs instead
 * of one each (it showed as a tenth of a bulk import's CPU).
 */
export function randomBytesPooled(size: number): Buffer {
  if (size > 256) throw new RangeError('randomBytesPooled is for small values');
  if (offset + size > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const out = Buffer.from(POOL.subarray(offset, offset + size));
  // Never hand the same bytes out twice.
  offset += size;
  return out;
}

/**
 * Fills `target` with random bytes from the same pool, without allocating: for ids built
 * thousands of times a batch (uuid7), where a fresh Buffer per call was most of their cost.
 */
export function randomFillPooled(target: Uint8Array): void {
  const size = target.length;
  if (size > 256) throw new RangeError('randomFillPooled is for small values');
  if (offset + size > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  for (let i = 0; i < size; i++) target[i] = POOL[offset + i];
  offset += size;
}
