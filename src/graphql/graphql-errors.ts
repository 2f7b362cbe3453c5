import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { toDomainError } from '../common/errors/problem';

const GRAPHQL_LEVEL_CODES: Record<string, string> = {
  GRAPHQL_PARSE_FAILED: 'malformed_request',
  GRAPHQL_VALIDATION_FAILED: 'validation_failed',
  BAD_USER_INPUT: 'validation_failed',
  PERSISTED_QUERY_NOT_SUPPORTED: 'malformed_request',
  OPERATION_RESOLUTION_FAILURE: 'malformed_request',
};

/**
 * Gives GraphQL errors the same stable `code` the REST problem documents carry, plus the
 * per-field errors for validation failures. Internal errors keep their details to the log.
 */
export function formatGraphqlError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const extensionsCode = formatted.extensions?.code as string | undefined;
  if (extensionsCode && GRAPHQL_LEVEL_CODES[extensionsCode]) {
    return { ...formatted, extensions: { code: GRAPHQL_LEVEL_CODES[extensionsCode] } };
  }
  if (extensionsCode === 'query_too_complex') return formatted;
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const { domain } = toDomainError(original);
  const extensions: Record<string, unknown> = { code: domain.code, status: domain.status };
  if (domain.options.errors?.length) extensions.errors = domain.options.errors;
  if (domain.options.extensions) Object.assign(extensions, domain.options.extensions);
  return {
    message: domain.detail,
    locations: formatted.locations,
    path: formatted.path,
    extensions,
  };
}
