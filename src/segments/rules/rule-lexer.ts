import { MAX_STRING_LENGTH } from './rule-ast';
import { RuleError, SourcePosition } from './rule-error';

export type TokenKind =
  'ident' | 'keyword' | 'string' | 'number' | 'duration' | 'op' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Keywords are lower-cased; strings are unescaped; ops are canonical (`==` → `=`, `<>` → `!=`). */
  text: string;
  position: SourcePosition;
}

export const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  'in',
  'contains',
  'between',
  'is',
  'null',
  'true',
  'false',
]);

const ESCAPES: Record<string, string> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
};
const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_]/u;

/**
 * Hand-written scanner: one pass, positions in line/column (1-based, counted in code points
 * so Chinese text reports the column a reader sees). Identifiers may be dotted
 * (`stats.totalSpent`, `attr.风格`).
 */
export function tokenize(source: string): Token[] {
  const chars = Array.from(source);
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let col = 1;

  const here = (): SourcePosition => ({ line, col });
  const advance = (): string => {
    const ch = chars[i++];
    if (ch === '\n') {
      line++;
      col = 1;
    } else col++;
    return ch;
  };
  const peek = (offset = 0): string | undefined => chars[i + offset];

  while (i < chars.length) {
    const ch = chars[i];
    if (/\s/u.test(ch)) {
      advance();
      continue;
    }
    const start = here();
    if (ch === '"' || ch === "'") {
      tokens.push({ kind: 'string', text: readString(ch, start), position: start });
      continue;
    }
    if (/[0-9]/.test(ch)) {
      let text = '';
      while (peek() !== undefined && /[0-9]/.test(peek()!)) text += advance();
      if (peek() === '.' && peek(1) !== undefined && /[0-9]/.test(peek(1)!)) {
        text += advance();
        while (peek() !== undefined && /[0-9]/.test(peek()!)) text += advance();
      }
      if (peek() !== undefined && IDENT_START.test(peek()!)) {
        let unit = '';
        while (peek() !== undefined && IDENT_PART.test(peek()!)) unit += advance();
        if (!/^[hdwy]$/.test(unit) || text.includes('.')) {
          throw RuleError.at(
            'syntax_error',
            `invalid number or duration "${text}${unit}" (durations are whole h, d, w or y)`,
            start,
          );
        }
        tokens.push({ kind: 'duration', text: text + unit, position: start });
      } else tokens.push({ kind: 'number', text, position: start });
      continue;
    }
    if (IDENT_START.test(ch)) {
      let text = '';
      for (;;) {
        while (peek() !== undefined && IDENT_PART.test(peek()!)) text += advance();
        if (peek() === '.' && peek(1) !== undefined && IDENT_START.test(peek(1)!))
          text += advance();
        else break;
      }
      const lower = text.toLowerCase();
      tokens.push(
        KEYWORDS.has(lower)
          ? { kind: 'keyword', text: lower, position: start }
          : { kind: 'ident', text, position: start },
      );
      continue;
    }
    const two = ch + (peek(1) ?? '');
    if (['<=', '>=', '!=', '<>', '=='].includes(two)) {
      advance();
      advance();
      tokens.push({
        kind: 'op',
        text: two === '<>' ? '!=' : two === '==' ? '=' : two,
        position: start,
      });
      continue;
    }
    if ('=<>'.includes(ch)) {
      tokens.push({ kind: 'op', text: advance(), position: start });
      continue;
    }
    if ('(),:+-'.includes(ch)) {
      tokens.push({ kind: 'punct', text: advance(), position: start });
      continue;
    }
    throw RuleError.at('syntax_error', `unexpected character "${ch}"`, start);
  }
  tokens.push({ kind: 'eof', text: '', position: here() });
  return tokens;

  function readString(quote: string, start: SourcePosition): string {
    advance();
    let out = '';
    for (;;) {
      const ch = peek();
      if (ch === undefined || ch === '\n')
        throw RuleError.at('syntax_error', 'unterminated string', start);
      advance();
      if (ch === quote) break;
      if (ch === '\\') {
        const next = peek();
        if (next === 'u') {
          advance();
          const hex = chars.slice(i, i + 4).join('');
          if (!/^[0-9a-fA-F]{4}$/.test(hex))
            throw RuleError.at('syntax_error', 'invalid \\u escape', here());
          for (let k = 0; k < 4; k++) advance();
          out += String.fromCharCode(parseInt(hex, 16));
        } else if (next !== undefined && ESCAPES[next] !== undefined) {
          out += ESCAPES[advance()];
        } else throw RuleError.at('syntax_error', 'invalid escape in string', here());
      } else out += ch;
      if (out.length > MAX_STRING_LENGTH)
        throw RuleError.at(
          'syntax_error',
          `string longer than ${MAX_STRING_LENGTH} characters`,
          start,
        );
    }
    return out;
  }
}
