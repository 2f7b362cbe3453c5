import type { FastifyInstance } from 'fastify';
import { IdempotencyService } from './idempotency.service';
import { REPLAYED_HEADERS } from './idempotency.interceptor';

/** Statuses that say nothing about the request itself; a retry should run it again. */
const NOT_STORED = new Set([401, 403, 409, 429]);

/** Stores the final response of a request that claimed an Idempotency-Key. */
export function registerIdempotencyHook(
  fastify: FastifyInstance,
  idempotency: IdempotencyService,
): void {
  fastify.addHook('onSend', async (request, reply, payload) => {
    const claim = request.idempotencyClaim;
    if (!claim) return payload;
    request.idempotencyClaim = undefined;
    if (reply.statusCode >= 500 || NOT_STORED.has(reply.statusCode)) {
      await idempotency.release(claim);
      return payload;
    }
    let body: unknown = null;
    if (typeof payload === 'string' && payload.length) {
      try {
        body = JSON.parse(payload);
      } catch {
        body = payload;
      }
    }
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = reply.getHeader(name);
      if (typeof value === 'string') headers[name] = value;
    }
    await idempotency.complete(claim, { status: reply.statusCode, body, headers });
    return payload;
  });
}
