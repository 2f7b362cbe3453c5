import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, of } from 'rxjs';
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

/**
 * Every authenticated POST honours `Idempotency-Key`. The claim is taken here (after the
 * guards, so the caller is known); the response is stored by the onSend hook registered in
 * app.factory, which sees the final status and body, errors included.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotency: IdempotencyService) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || key === undefined || !request.principal) return next.handle();
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw DomainError.field(
        'Idempotency-Key',
        'invalid',
        'Idempotency-Key is 1–255 visible ASCII characters.',
      );
    }
    const claim: IdempotencyClaim = {
      tenantId: request.principal.tenantId,
      principal: `${request.principal.kind}:${request.principal.subject}`,
      key,
    };
    const path = request.url.split('?')[0];
    const stored = await this.idempotency.claim(
      claim,
      request.method,
      path,
      requestHash(request.method, request.url, request.body),
    );
    if (stored) {
      const reply = context.switchToHttp().getResponse<FastifyReply>();
      void reply
        .status(stored.status)
        .headers({ ...stored.headers, 'idempotent-replayed': 'true' });
      if (stored.status >= 400) void reply.type('application/problem+json');
      return of(stored.body);
    }
    request.idempotencyClaim = claim;
    return next.handle();
  }
}
