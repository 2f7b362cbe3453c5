/** Stable error codes of the API contract (shared/API.md), with the HTTP status each maps to. */
export const ERROR_STATUS = {
  validation_failed: 422,
  malformed_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  identity_conflict: 409,
  invalid_transition: 409,
  idempotency_in_progress: 409,
  gone: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reuse: 422,
  insufficient_points: 422,
  query_too_complex: 422,
  precondition_required: 428,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

const TITLES: Record<ErrorCode, string> = {
  validation_failed: 'The request is not valid',
  malformed_request: 'The request could not be read',
  unauthorized: 'Authentication is required',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  identity_conflict: 'The identity belongs to another customer',
  invalid_transition: 'That transition is not allowed',
  idempotency_in_progress: 'A request with this idempotency key is still being processed',
  gone: 'Gone',
  precondition_failed: 'The resource has changed',
  payload_too_large: 'The request body is too large',
  unsupported_media_type: 'Unsupported content type',
  idempotency_key_reuse: 'The idempotency key was used with a different request',
  insufficient_points: 'Not enough points',
  query_too_complex: 'The query is too deep or too complex',
  precondition_required: 'A precondition header is required',
  rate_limited: 'Too many requests',
  internal_error: 'Internal error',
  service_unavailable: 'Service unavailable',
};

export function titleFor(code: ErrorCode): string {
  return TITLES[code];
}

/**
 * What services throw. Never an HttpException: the REST filter and the GraphQL formatter map
 * the code once, so both transports give the same answer (STYLE rule 5).
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly options: {
      errors?: FieldError[];
      /** Extra members of the problem document, e.g. the holder of a conflicting identity. */
      extensions?: Record<string, unknown>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  static validation(errors: FieldError[], detail = 'One or more fields are invalid.'): DomainError {
    return new DomainError('validation_failed', detail, { errors });
  }

  static field(field: string, code: string, message: string): DomainError {
    return DomainError.validation([{ field, code, message }], message);
  }

  static notFound(what: string): DomainError {
    return new DomainError('not_found', `${what} was not found.`);
  }
}
