import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Principal } from '../../auth/principal';
import { DomainError } from '../errors/domain-error';
import { IdempotencyClaim, IdempotencyService, requestHash } from './idempotency.service';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim?: IdempotencyClaim;
  }
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** Response headers a replay must repeat. */
export const REPLAYED_HEADERS = ['location', 'etag'];
/** Statuses that say nothing about the request itself; a retry should run it again. */
const NOT_STORED = new Set([401, 403, 409, 429]);

/**
 * Every authenticated REST POST honours `Idempotency-Key`, as Fastify hooks rather than a Nest
 * interceptor so that no other request pays for it: the key is claimed (or its stored answer
 * replayed) once the body is parsed, and the final response — errors included — is stored when
 * it is sent. The caller comes from the bearer token checked on arrival; a claim by a request
 * the guards then refuse (401/403/429) is released again, so a retry runs afresh.
 */
export function registerIdempotencyHook(
  fastify: FastifyInstance,
  idempotency: IdempotencyService,
): void {
  fastify.addHook('preHandler', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    if (key === undefined || request.method !== 'POST' || !claimable(request)) return;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw DomainError.field(
        'Idempotency-Key',
        'invalid',
        'Idempotency-Key is 1–255 visible ASCII characters.',
      );
    }
    const { principal } = request.authentication as { principal: Principal };
    const claim: IdempotencyClaim = {
      tenantId: principal.tenantId,
      principal: `${principal.kind}:${principal.subject}`,
      key,
    };
    const stored = await idempotency.claim(
      claim,
      request.method,
      request.url.split('?')[0],
      requestHash(request.method, request.url, request.body),
    );
    if (stored) {
      void reply
        .status(stored.status)
        .headers({ ...stored.headers, 'idempotent-replayed': 'true' });
      if (stored.status >= 400) void reply.type('application/problem+json');
      return reply.send(stored.body);
    }
    request.idempotencyClaim = claim;
  });

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

/** A matched REST route (not GraphQL, not a 404) called with a valid token. */
function claimable(request: FastifyRequest): boolean {
  const route = request.routeOptions?.url;
  return (
    route !== undefined &&
    route !== '/graphql' &&
    request.authentication !== undefined &&
    'principal' in request.authentication
  );
}
