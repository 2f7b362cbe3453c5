import { RuleError } from './rule-error';
import { tokenize } from './rule-lexer';
import { parseRule } from './rule-parser';
import { readRule } from './rule-tree';

const tree = (text: string) => parseRule(text).tree;
const errorOf = (fn: () => unknown): RuleError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof RuleError) return error;
    throw error;
  }
  throw new Error('expected a RuleError');
};

describe('rule lexer', () => {
  it('scans dotted identifiers, keywords case-insensitively, strings, numbers, durations and operators', () => {
    const tokens = tokenize(
      'stats.totalSpent >= 1000.5 AND tier IN ("gold") and x <> 1 or y == 2 and now() - 90d',
    );
    expect(tokens.map((t) => `${t.kind}:${t.text}`)).toEqual([
      'ident:stats.totalSpent',
      'op:>=',
      'number:1000.5',
      'keyword:and',
      'ident:tier',
      'keyword:in',
      'punct:(',
      'string:gold',
      'punct:)',
      'keyword:and',
      'ident:x',
      'op:!=',
      'number:1',
      'keyword:or',
      'ident:y',
      'op:=',
      'number:2',
      'keyword:and',
      'ident:now',
      'punct:(',
      'punct:)',
      'punct:-',
      'duration:90d',
      'eof:',
    ]);
  });

  it('keeps Chinese text intact and counts columns in characters', () => {
    const tokens = tokenize('attr.风格 = "商务" and x');
    expect(tokens[0]).toMatchObject({ kind: 'ident', text: 'attr.风格' });
    expect(tokens[2]).toMatchObject({
      kind: 'string',
      text: '商务',
      position: { line: 1, col: 11 },
    });
    expect(tokens[3].position).toEqual({ line: 1, col: 16 });
  });

  it('unescapes strings in either quote style', () => {
    expect(
      tokenize(`"a\\"b\\\\c\\u5916" 'it\\'s'`)
        .slice(0, 2)
        .map((t) => t.text),
    ).toEqual(['a"b\\c外', "it's"]);
  });

  it('tracks lines', () => {
    expect(tokenize('a = 1\n  and b = 2')[4].position).toEqual({ line: 2, col: 7 });
  });

  it.each([
    ['city = "上海', 'line 1, col 8: unterminated string'],
    [
      'city = 1x',
      'line 1, col 8: invalid number or duration "1x" (durations are whole h, d, w or y)',
    ],
    [
      'city = 1.5d',
      'line 1, col 8: invalid number or duration "1.5d" (durations are whole h, d, w or y)',
    ],
    ['city ; drop', 'line 1, col 6: unexpected character ";"'],
    ['x = "\\q"', 'line 1, col 7: invalid escape in string'],
  ])('refuses %s', (text, message) => {
    expect(errorOf(() => tokenize(text)).message).toBe(message);
  });
});

describe('rule parser', () => {
  it('parses the API.md example into the documented tree', () => {
    expect(
      tree('stats.totalSpent >= 1000 and tier in ("gold") and consent.sms and tags contains "vip"'),
    ).toEqual({
      and: [
        { field: 'stats.totalSpent', op: '>=', value: 1000 },
        { field: 'tier', op: 'in', value: ['gold'] },
        { field: 'consent.sms', op: '=', value: true },
        { field: 'tags', op: 'contains', value: 'vip' },
      ],
    });
  });

  it('binds and tighter than or, and not tighter than and; parentheses override', () => {
    expect(tree('a = 1 or b = 2 and not c = 3')).toEqual({
      or: [
        { field: 'a', op: '=', value: 1 },
        { and: [{ field: 'b', op: '=', value: 2 }, { not: { field: 'c', op: '=', value: 3 } }] },
      ],
    });
    expect(tree('(a = 1 or b = 2) and c = 3')).toEqual({
      and: [
        {
          or: [
            { field: 'a', op: '=', value: 1 },
            { field: 'b', op: '=', value: 2 },
          ],
        },
        { field: 'c', op: '=', value: 3 },
      ],
    });
  });

  it('flattens chains of the same connective', () => {
    expect(tree('a = 1 and b = 2 and c = 3')).toEqual({
      and: [expect.anything(), expect.anything(), expect.anything()],
    });
  });

  it('parses every operator form', () => {
    expect(tree('a != "x"')).toEqual({ field: 'a', op: '!=', value: 'x' });
    expect(tree('a not in (1, 2)')).toEqual({ field: 'a', op: 'not in', value: [1, 2] });
    expect(tree('a between 1 and 5')).toEqual({ field: 'a', op: 'between', value: [1, 5] });
    expect(tree('a between 1 and 5 and b = 2')).toEqual({
      and: [
        { field: 'a', op: 'between', value: [1, 5] },
        { field: 'b', op: '=', value: 2 },
      ],
    });
    expect(tree('a is null')).toEqual({ field: 'a', op: 'is null' });
    expect(tree('a is not null')).toEqual({ field: 'a', op: 'is not null' });
    expect(tree('a < -3')).toEqual({ field: 'a', op: '<', value: -3 });
    expect(tree('a = false')).toEqual({ field: 'a', op: '=', value: false });
  });

  it('parses relative dates and the current month', () => {
    expect(tree('stats.lastPurchaseAt < now() - 90d')).toEqual({
      field: 'stats.lastPurchaseAt',
      op: '<',
      value: { now: '-90d' },
    });
    expect(tree('x > now() + 2w')).toEqual({ field: 'x', op: '>', value: { now: '+2w' } });
    expect(tree('x > now()')).toEqual({ field: 'x', op: '>', value: { now: '' } });
    expect(tree('birthMonth = currentMonth()')).toEqual({
      field: 'birthMonth',
      op: '=',
      value: { currentMonth: true },
    });
  });

  it('parses purchased() with named arguments', () => {
    expect(tree('purchased(category: "外套", within: 180d)')).toEqual({
      purchased: { category: '外套', within: '180d' },
    });
    expect(tree('purchased(sku: "A12")')).toEqual({ purchased: { sku: 'A12' } });
    expect(tree('not purchased()')).toEqual({ not: { purchased: {} } });
  });

  it('treats an injection attempt as a plain string value', () => {
    expect(tree(`city = "'; drop table customers; --"`)).toEqual({
      field: 'city',
      op: '=',
      value: "'; drop table customers; --",
    });
  });

  it.each([
    ['', 'line 1, col 1: query is empty'],
    ['city =', 'line 1, col 7: expected a value but found end of query'],
    ['city = "a" and', 'line 1, col 15: expected a field, "not" or "(" but found end of query'],
    ['(city = "a"', 'line 1, col 12: expected ")" but found end of query'],
    [
      'city = "a" city = "b"',
      'line 1, col 12: expected "and", "or" or end of query but found "city"',
    ],
    ['x in 1', 'line 1, col 6: expected "(" starting a list but found "1"'],
    ['x between 1 or 2', 'line 1, col 13: expected "and" in between but found "or"'],
    ['x is 1', 'line 1, col 6: expected "null" but found "1"'],
    ['x > 90d', 'line 1, col 5: a duration needs now() in front of it, e.g. now() - 90d'],
    ['x > now() - 5', 'line 1, col 13: expected a duration such as 90d but found "5"'],
    [
      'purchased(colour: "red")',
      'line 1, col 11: expected one of category, sku, store, within but found "colour"',
    ],
    [
      'purchased(within: "180")',
      'line 1, col 19: within needs a duration such as 180d but found "180"',
    ],
    ['purchased(sku: "a", sku: "b")', 'line 1, col 21: sku given twice'],
    [`city = 'x'; drop table customers`, 'line 1, col 11: unexpected character ";"'],
    [`city = ''; drop table`, 'line 1, col 10: unexpected character ";"'],
  ])('reports %j at its position', (text, message) => {
    expect(errorOf(() => readRule(text))).toMatchObject({ message, code: 'syntax_error' });
  });

  it('refuses nesting deeper than 20 levels with a position', () => {
    const ok = `${'('.repeat(20)}a = 1${')'.repeat(20)}`;
    expect(() => readRule(ok)).not.toThrow();
    const deep = `${'('.repeat(21)}a = 1${')'.repeat(21)}`;
    expect(errorOf(() => readRule(deep))).toMatchObject({
      code: 'too_complex',
      message: 'line 1, col 21: query nests deeper than 20 levels',
    });
    expect(errorOf(() => readRule(`${'not '.repeat(25)}a = 1`)).code).toBe('too_complex');
    // A pathological input must not blow the stack before the limit speaks.
    expect(errorOf(() => readRule('('.repeat(5000))).code).toBe('too_complex');
  });

  it('refuses more than 200 conditions', () => {
    const conditions = (n: number) => Array.from({ length: n }, (_, i) => `a = ${i}`).join(' or ');
    expect(() => readRule(conditions(200))).not.toThrow();
    expect(errorOf(() => readRule(conditions(201)))).toMatchObject({
      code: 'too_complex',
      message: expect.stringContaining('more than 200 conditions'),
    });
  });

  it('refuses over-long text', () => {
    expect(errorOf(() => readRule(`city = "${'x'.repeat(10_001)}"`)).code).toBe('too_complex');
  });
});

describe('JSON rule trees', () => {
  it('accepts the same tree the parser produces', () => {
    const text =
      'stats.lastPurchaseAt < now() - 90d and (tags contains "vip" or not purchased(sku: "A12", within: 30d))';
    expect(readRule(parseRule(text).tree).tree).toEqual(parseRule(text).tree);
  });

  it.each([
    [[], '(root): expected an object node'],
    [{ and: [] }, 'and: expected a non-empty array'],
    [
      { and: [{ field: 'a', op: '=', value: 1, extra: 1 }] },
      'and[0].extra: unknown key (a condition has field, op, value)',
    ],
    [
      { field: 'a', op: 'like', value: 'x' },
      'op: expected one of =, !=, <, <=, >, >=, in, not in, contains, between, is null, is not null',
    ],
    [{ field: 'a', op: 'in', value: 'x' }, 'value: expected a non-empty array'],
    [{ field: 'a', op: 'between', value: [1] }, 'value: between needs [low, high]'],
    [{ field: 'a', op: 'is null', value: 1 }, 'value: is null takes no value'],
    [
      { field: 'a', op: '=', value: { now: '-90 days' } },
      'value: expected a string, number, boolean, {"now": "-90d"} or {"currentMonth": true}',
    ],
    [
      { field: 'a', op: '=', value: { $gt: 1 } },
      'value: expected a string, number, boolean, {"now": "-90d"} or {"currentMonth": true}',
    ],
    [
      { or: [{ purchased: { within: 'soon' } }] },
      'or[0].purchased.within: expected a duration such as 180d',
    ],
    [
      { purchased: { colour: 'red' } },
      'purchased.colour: unknown argument (expected category, sku, store, within)',
    ],
  ])('refuses %j', (input, message) => {
    expect(errorOf(() => readRule(input)).message).toBe(message);
  });

  it('applies the same limits', () => {
    let deep: object = { field: 'a', op: '=', value: 1 };
    for (let i = 0; i < 21; i++) deep = { not: deep };
    expect(errorOf(() => readRule(deep)).code).toBe('too_complex');
    const wide = { or: Array.from({ length: 201 }, (_, i) => ({ field: 'a', op: '=', value: i })) };
    expect(errorOf(() => readRule(wide))).toMatchObject({
      code: 'too_complex',
      message: 'or[200]: query has more than 200 conditions',
    });
  });
});
