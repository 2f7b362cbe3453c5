import { HttpException } from '@nestjs/common';
import { DomainError, ERROR_STATUS, ErrorCode, FieldError, titleFor } from './domain-error';

/** RFC 9457 problem details, as every error leaves the REST API. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
  requestId?: string;
  [extension: string]: unknown;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'malformed_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation_failed',
  428: 'precondition_required',
  429: 'rate_limited',
  503: 'service_unavailable',
};

export function problemTypeUri(code: ErrorCode): string {
  return `https://kehu.dev/problems/${code.replace(/_/g, '-')}`;
}

/** Fastify's own errors (body parsing, size) carry a code and statusCode. */
interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/** Turns anything thrown into a DomainError; unknown errors become internal_error. */
export function toDomainError(error: unknown): { domain: DomainError; unexpected: boolean } {
  if (error instanceof DomainError) return { domain: error, unexpected: false };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = STATUS_CODES[status] ?? (status >= 500 ? 'internal_error' : 'malformed_request');
    const response = error.getResponse();
    const message =
      typeof response === 'object' && response && 'message' in response
        ? String((response as { message: unknown }).message)
        : error.message;
    const detail =
      status >= 500
        ? 'An unexpected error occurred.'
        : /not valid JSON/i.test(message)
          ? 'The body is not valid JSON.'
          : message;
    return { domain: new DomainError(code, detail), unexpected: status >= 500 };
  }
  const fastify = error as FastifyLikeError;
  if (
    fastify &&
    typeof fastify.statusCode === 'number' &&
    typeof fastify.code === 'string' &&
    fastify.code.startsWith('FST_')
  ) {
    if (fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return {
        domain: new DomainError('payload_too_large', 'The request body exceeds the size limit.'),
        unexpected: false,
      };
    }
    if (fastify.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return {
        domain: new DomainError(
          'unsupported_media_type',
          'Send application/json (or the content type the endpoint documents).',
        ),
        unexpected: false,
      };
    }
    if (fastify.statusCode < 500) {
      const code = STATUS_CODES[fastify.statusCode] ?? 'malformed_request';
      const detail =
        fastify.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || /JSON/i.test(fastify.message ?? '')
          ? 'The body is not valid JSON.'
          : (fastify.message ?? 'The request could not be read.');
      return { domain: new DomainError(code, detail), unexpected: false };
    }
  }
  // Errors raised in Fastify's pipeline by our own parsers/hooks carry a 4xx statusCode.
  if (
    fastify &&
    typeof fastify.statusCode === 'number' &&
    fastify.statusCode >= 400 &&
    fastify.statusCode < 500
  ) {
    const code = STATUS_CODES[fastify.statusCode] ?? 'malformed_request';
    return { domain: new DomainError(code, fastify.message ?? titleFor(code)), unexpected: false };
  }
  if (error instanceof SyntaxError) {
    return {
      domain: new DomainError('malformed_request', 'The body is not valid JSON.'),
      unexpected: false,
    };
  }
  return {
    domain: new DomainError('internal_error', 'An unexpected error occurred.'),
    unexpected: true,
  };
}

export function toProblem(domain: DomainError, requestId?: string): ProblemDocument {
  const problem: ProblemDocument = {
    type: problemTypeUri(domain.code),
    title: titleFor(domain.code),
    status: ERROR_STATUS[domain.code],
    detail: domain.detail,
    code: domain.code,
  };
  if (domain.options.errors?.length) problem.errors = domain.options.errors;
  if (domain.options.extensions) Object.assign(problem, domain.options.extensions);
  if (requestId) problem.requestId = requestId;
  return problem;
}
