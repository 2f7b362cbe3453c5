import {
  ConditionNode,
  MAX_DEPTH,
  MAX_LIST_ITEMS,
  MAX_TEXT_LENGTH,
  PURCHASED_ARGS,
  PurchasedArgs,
  RuleNode,
  RuleOperator,
  RuleScalar,
} from './rule-ast';
import { RuleError, SourcePosition } from './rule-error';
import { Token, tokenize } from './rule-lexer';

/** Where a node (or its value) came from, so the compiler can point at it. */
export interface RuleLocator {
  where(node: object, part?: 'value'): string;
}

export interface ParsedRule {
  tree: RuleNode;
  locator: RuleLocator;
}

const formatPosition = (p: SourcePosition) => `line ${p.line}, col ${p.col}`;

/**
 * Recursive-descent parser for the segment language:
 *
 *   query      := or EOF
 *   or         := and ("or" and)*
 *   and        := unary ("and" unary)*
 *   unary      := "not" unary | primary
 *   primary    := "(" or ")" | purchased | condition
 *   purchased  := "purchased" "(" [arg ("," arg)*] ")"     arg := name ":" (string | duration)
 *   condition  := field ( cmp value | "in" list | "not" "in" list | "contains" value
 *                       | "between" value "and" value | "is" ["not"] "null" | ε )   ε = boolean field is true
 *   value      := string | ["-"] number | "true" | "false" | "now" "(" ")" [("+"|"-") duration]
 *               | "currentMonth" "(" ")"
 *   list       := "(" value ("," value)* ")"
 *
 * No evaluation happens here: the output is data for the compiler.
 */
export function parseRule(source: string): ParsedRule {
  if (source.length > MAX_TEXT_LENGTH) {
    throw new RuleError(
      'too_complex',
      `query longer than ${MAX_TEXT_LENGTH} characters`,
      'line 1, col 1',
    );
  }
  const tokens = tokenize(source);
  const positions = new WeakMap<object, SourcePosition>();
  const valuePositions = new WeakMap<object, SourcePosition>();
  let index = 0;
  let nesting = 0;

  const peek = (offset = 0): Token => tokens[Math.min(index + offset, tokens.length - 1)];
  const next = (): Token => tokens[index++];
  const isKeyword = (token: Token, word: string) => token.kind === 'keyword' && token.text === word;
  const isPunct = (token: Token, text: string) => token.kind === 'punct' && token.text === text;
  const describe = (token: Token) => (token.kind === 'eof' ? 'end of query' : `"${token.text}"`);
  const fail = (token: Token, reason: string): never => {
    throw RuleError.at('syntax_error', reason, token.position);
  };
  const expectPunct = (text: string, what: string): Token => {
    const token = peek();
    if (!isPunct(token, text)) fail(token, `expected ${what} but found ${describe(token)}`);
    return next();
  };
  const enter = (token: Token) => {
    if (++nesting > MAX_DEPTH)
      throw RuleError.at(
        'too_complex',
        `query nests deeper than ${MAX_DEPTH} levels`,
        token.position,
      );
  };

  const tree = parseOr();
  if (peek().kind !== 'eof')
    fail(peek(), `expected "and", "or" or end of query but found ${describe(peek())}`);
  return {
    tree,
    locator: {
      where(node, part) {
        const position =
          (part === 'value' ? valuePositions.get(node) : undefined) ?? positions.get(node);
        return position ? formatPosition(position) : '';
      },
    },
  };

  function parseOr(): RuleNode {
    const first = peek();
    const items = [parseAnd()];
    while (isKeyword(peek(), 'or')) {
      next();
      items.push(parseAnd());
    }
    return group('or', items, first);
  }

  function parseAnd(): RuleNode {
    const first = peek();
    const items = [parseUnary()];
    while (isKeyword(peek(), 'and')) {
      next();
      items.push(parseUnary());
    }
    return group('and', items, first);
  }

  function group(kind: 'and' | 'or', items: RuleNode[], first: Token): RuleNode {
    if (items.length === 1) return items[0];
    const node = (kind === 'and' ? { and: items } : { or: items }) as RuleNode;
    positions.set(node, first.position);
    return node;
  }

  function parseUnary(): RuleNode {
    const token = peek();
    if (isKeyword(token, 'not')) {
      next();
      enter(token);
      const node: RuleNode = { not: parseUnary() };
      nesting--;
      positions.set(node, token.position);
      return node;
    }
    return parsePrimary();
  }

  function parsePrimary(): RuleNode {
    const token = peek();
    if (isPunct(token, '(')) {
      next();
      enter(token);
      const inner = parseOr();
      nesting--;
      expectPunct(')', '")"');
      return inner;
    }
    if (token.kind === 'ident' && token.text === 'purchased' && isPunct(peek(1), '('))
      return parsePurchased();
    if (token.kind !== 'ident')
      fail(token, `expected a field, "not" or "(" but found ${describe(token)}`);
    return parseCondition();
  }

  function parsePurchased(): RuleNode {
    const start = next();
    next();
    const args: PurchasedArgs = {};
    if (!isPunct(peek(), ')')) {
      for (;;) {
        const name = peek();
        if (name.kind !== 'ident' || !(PURCHASED_ARGS as readonly string[]).includes(name.text)) {
          fail(name, `expected one of ${PURCHASED_ARGS.join(', ')} but found ${describe(name)}`);
        }
        next();
        expectPunct(':', '":"');
        const value = next();
        const key = name.text as keyof PurchasedArgs;
        if (key in args) fail(name, `${key} given twice`);
        if (key === 'within') {
          if (value.kind !== 'duration')
            fail(value, `within needs a duration such as 180d but found ${describe(value)}`);
        } else if (value.kind !== 'string')
          fail(value, `${key} needs a quoted string but found ${describe(value)}`);
        args[key] = value.text;
        if (!isPunct(peek(), ',')) break;
        next();
      }
    }
    expectPunct(')', '")"');
    const node: RuleNode = { purchased: args };
    positions.set(node, start.position);
    return node;
  }

  function parseCondition(): RuleNode {
    const fieldToken = next();
    const field = fieldToken.text;
    const token = peek();
    let node: ConditionNode;
    let valueToken: Token | undefined = token;
    if (token.kind === 'op') {
      next();
      valueToken = peek();
      node = { field, op: token.text as RuleOperator, value: parseValue() };
    } else if (isKeyword(token, 'in')) {
      next();
      valueToken = peek();
      node = { field, op: 'in', value: parseList() };
    } else if (isKeyword(token, 'not') && isKeyword(peek(1), 'in')) {
      next();
      next();
      valueToken = peek();
      node = { field, op: 'not in', value: parseList() };
    } else if (isKeyword(token, 'contains')) {
      next();
      valueToken = peek();
      node = { field, op: 'contains', value: parseValue() };
    } else if (isKeyword(token, 'between')) {
      next();
      valueToken = peek();
      const low = parseValue();
      if (!isKeyword(peek(), 'and'))
        fail(peek(), `expected "and" in between but found ${describe(peek())}`);
      next();
      node = { field, op: 'between', value: [low, parseValue()] };
    } else if (isKeyword(token, 'is')) {
      next();
      const negated = isKeyword(peek(), 'not');
      if (negated) next();
      if (!isKeyword(peek(), 'null')) fail(peek(), `expected "null" but found ${describe(peek())}`);
      next();
      node = { field, op: negated ? 'is not null' : 'is null' };
      valueToken = undefined;
    } else {
      // A bare field (`consent.sms`) means "is true"; the type checker refuses non-booleans.
      node = { field, op: '=', value: true };
      valueToken = undefined;
    }
    positions.set(node, fieldToken.position);
    if (valueToken) valuePositions.set(node, valueToken.position);
    return node;
  }

  function parseList(): RuleScalar[] {
    expectPunct('(', '"(" starting a list');
    const items = [parseValue()];
    while (isPunct(peek(), ',')) {
      next();
      items.push(parseValue());
      if (items.length > MAX_LIST_ITEMS) fail(peek(), `list longer than ${MAX_LIST_ITEMS} items`);
    }
    expectPunct(')', '")" or ","');
    return items;
  }

  function parseValue(): RuleScalar {
    const token = next();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    if (isPunct(token, '-') && peek().kind === 'number') return -Number(next().text);
    if (isKeyword(token, 'true')) return true;
    if (isKeyword(token, 'false')) return false;
    if (
      token.kind === 'ident' &&
      (token.text === 'now' || token.text === 'currentMonth') &&
      isPunct(peek(), '(')
    ) {
      next();
      expectPunct(')', '")"');
      if (token.text === 'currentMonth') return { currentMonth: true };
      const sign = peek();
      if (isPunct(sign, '+') || isPunct(sign, '-')) {
        next();
        const amount = next();
        if (amount.kind !== 'duration')
          fail(amount, `expected a duration such as 90d but found ${describe(amount)}`);
        return { now: `${sign.text}${amount.text}` };
      }
      return { now: '' };
    }
    if (token.kind === 'duration')
      fail(token, 'a duration needs now() in front of it, e.g. now() - 90d');
    return fail(token, `expected a value but found ${describe(token)}`);
  }
}
