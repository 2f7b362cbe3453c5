import { DomainError } from '../../common/errors/domain-error';
import { RuleNode } from './rule-ast';
import { CompileContext, compileRule, CompiledRule } from './rule-compiler';
import { RuleError } from './rule-error';
import { readRule } from './rule-tree';
import { SqlParams } from './sql-params';

export interface CheckedRule {
  /** The text as the caller wrote it, or null when the query came as a JSON tree. */
  text: string | null;
  tree: RuleNode;
}

/**
 * The one entry point services use: read (parse or validate), limit-check and type-check a
 * query, turning every RuleError into a 422 problem that names the position.
 */
export function checkRule(query: unknown, field = 'query'): CheckedRule {
  try {
    const parsed = readRule(query);
    // Compile once against a throw-away parameter list: type errors surface at save time.
    compileRule(
      parsed.tree,
      parsed.locator,
      { now: new Date(), timeZone: 'UTC', currency: 'CNY' },
      new SqlParams(),
    );
    return { text: typeof query === 'string' ? query : null, tree: parsed.tree };
  } catch (error) {
    if (error instanceof RuleError) throw error.toDomainError(field);
    throw error;
  }
}

/** Compiles a stored (already checked) rule: text when we have it, so errors keep positions. */
export function compileStoredRule(
  rule: CheckedRule,
  context: CompileContext,
  params: SqlParams,
  field = 'query',
): CompiledRule {
  try {
    const parsed = readRule(rule.text ?? rule.tree);
    return compileRule(parsed.tree, parsed.locator, context, params);
  } catch (error) {
    if (error instanceof RuleError) throw error.toDomainError(field);
    if (error instanceof DomainError) throw error;
    throw error;
  }
}
