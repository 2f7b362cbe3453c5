import { DomainError } from '../../common/errors/domain-error';

export interface SourcePosition {
  line: number;
  col: number;
}

export type RuleErrorCode =
  'syntax_error' | 'unknown_field' | 'type_mismatch' | 'invalid_value' | 'too_complex';

/**
 * A rule the compiler refuses. `where` is `line 1, col 23` for text queries and a JSON path
 * (`and[1].field`) for trees, so the caller can find the spot either way.
 */
export class RuleError extends Error {
  constructor(
    readonly code: RuleErrorCode,
    readonly reason: string,
    readonly where: string,
  ) {
    super(where ? `${where}: ${reason}` : reason);
    this.name = 'RuleError';
  }

  static at(code: RuleErrorCode, reason: string, position: SourcePosition): RuleError {
    return new RuleError(code, reason, `line ${position.line}, col ${position.col}`);
  }

  /** 422 for the API: `query_too_complex` for limits, `validation_failed` otherwise. */
  toDomainError(field = 'query'): DomainError {
    const errors = [{ field, code: this.code, message: this.message }];
    if (this.code === 'too_complex')
      return new DomainError('query_too_complex', this.message, { errors });
    return DomainError.validation(errors, this.message);
  }
}
