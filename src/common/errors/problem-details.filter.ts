import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toDomainError, toProblem } from './problem';

/** The one REST error mapper: every error leaves as application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): unknown {
    // GraphQL errors are shaped by the Apollo formatter instead.
    if ((host.getType() as string) === 'graphql') return exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendProblem(request, reply, exception);
    return undefined;
  }
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  exception: unknown,
): void {
  const { domain, unexpected } = toDomainError(exception);
  if (unexpected) request.log.error({ err: exception }, 'unhandled error');
  const problem = toProblem(domain, String(request.id));
  if (domain.options.headers) reply.headers(domain.options.headers);
  void reply.status(problem.status).type('application/problem+json').send(problem);
}
