import {
  DURATION_PATTERN,
  MAX_CONDITIONS,
  MAX_DEPTH,
  MAX_LIST_ITEMS,
  MAX_STRING_LENGTH,
  PURCHASED_ARGS,
  RELATIVE_PATTERN,
  RULE_OPERATORS,
  RuleNode,
  RuleOperator,
  RuleScalar,
} from './rule-ast';
import { RuleError } from './rule-error';
import { ParsedRule, parseRule, RuleLocator } from './rule-parser';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a JSON tree sent by a caller: exact shape, known keys only, bounded sizes. Returns a
 * fresh copy (never the caller's object) with each node's JSON path for error messages.
 */
export function readRuleTree(input: unknown): ParsedRule {
  const paths = new WeakMap<object, string>();
  let conditions = 0;
  const tree = readNode(input, '', 1);
  return { tree, locator: { where: (node) => paths.get(node) ?? '' } };

  function fail(
    path: string,
    reason: string,
    code: 'syntax_error' | 'too_complex' = 'syntax_error',
  ): never {
    throw new RuleError(code, reason, path || '(root)');
  }

  function readNode(value: unknown, path: string, depth: number): RuleNode {
    if (!isPlainObject(value)) fail(path, 'expected an object node');
    const keys = Object.keys(value);
    const join = (key: string) => (path ? `${path}.${key}` : key);
    if (keys.length === 1 && (keys[0] === 'and' || keys[0] === 'or')) {
      if (depth > MAX_DEPTH)
        fail(path, `query nests deeper than ${MAX_DEPTH} levels`, 'too_complex');
      const key = keys[0];
      const items = value[key];
      if (!Array.isArray(items) || items.length === 0)
        fail(join(key), 'expected a non-empty array');
      const node = {
        [key]: items.map((item, i) => readNode(item, `${join(key)}[${i}]`, depth + 1)),
      } as RuleNode;
      paths.set(node, path);
      return node;
    }
    if (keys.length === 1 && keys[0] === 'not') {
      if (depth > MAX_DEPTH)
        fail(path, `query nests deeper than ${MAX_DEPTH} levels`, 'too_complex');
      const node: RuleNode = { not: readNode(value.not, join('not'), depth + 1) };
      paths.set(node, path);
      return node;
    }
    countCondition(path);
    if (keys.length === 1 && keys[0] === 'purchased') {
      const args = value.purchased;
      if (!isPlainObject(args)) fail(join('purchased'), 'expected an object of arguments');
      const out: Record<string, string> = {};
      for (const [key, arg] of Object.entries(args)) {
        const argPath = `${join('purchased')}.${key}`;
        if (!(PURCHASED_ARGS as readonly string[]).includes(key))
          fail(argPath, `unknown argument (expected ${PURCHASED_ARGS.join(', ')})`);
        if (typeof arg !== 'string' || arg.length > MAX_STRING_LENGTH)
          fail(argPath, 'expected a string');
        if (key === 'within' && !DURATION_PATTERN.test(arg))
          fail(argPath, 'expected a duration such as 180d');
        out[key] = arg;
      }
      const node: RuleNode = { purchased: out };
      paths.set(node, path);
      return node;
    }
    for (const key of keys) {
      if (!['field', 'op', 'value'].includes(key))
        fail(join(key), 'unknown key (a condition has field, op, value)');
    }
    if (typeof value.field !== 'string' || !value.field || value.field.length > 200)
      fail(join('field'), 'expected a field name');
    if (typeof value.op !== 'string' || !(RULE_OPERATORS as readonly string[]).includes(value.op)) {
      fail(join('op'), `expected one of ${RULE_OPERATORS.join(', ')}`);
    }
    const op = value.op as RuleOperator;
    const node: { field: string; op: RuleOperator; value?: RuleScalar | RuleScalar[] } = {
      field: value.field,
      op,
    };
    const valuePath = join('value');
    if (op === 'is null' || op === 'is not null') {
      if (value.value !== undefined) fail(valuePath, `${op} takes no value`);
    } else if (op === 'in' || op === 'not in' || op === 'between') {
      const list = value.value;
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_LIST_ITEMS)
        fail(valuePath, 'expected a non-empty array');
      if (op === 'between' && list.length !== 2) fail(valuePath, 'between needs [low, high]');
      node.value = list.map((item, i) => readScalar(item, `${valuePath}[${i}]`));
    } else {
      node.value = readScalar(value.value, valuePath);
    }
    paths.set(node, path);
    return node as RuleNode;
  }

  function countCondition(path: string): void {
    if (++conditions > MAX_CONDITIONS)
      fail(path, `query has more than ${MAX_CONDITIONS} conditions`, 'too_complex');
  }

  function readScalar(value: unknown, path: string): RuleScalar {
    if (typeof value === 'string') {
      if (value.length > MAX_STRING_LENGTH)
        fail(path, `string longer than ${MAX_STRING_LENGTH} characters`);
      return value;
    }
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) fail(path, 'expected a finite number');
      return value;
    }
    if (typeof value === 'boolean') return value;
    if (isPlainObject(value) && Object.keys(value).length === 1) {
      if (typeof value.now === 'string' && RELATIVE_PATTERN.test(value.now))
        return { now: value.now };
      if (value.currentMonth === true) return { currentMonth: true };
    }
    return fail(
      path,
      'expected a string, number, boolean, {"now": "-90d"} or {"currentMonth": true}',
    );
  }
}

/** Depth and condition limits for parsed text (the JSON reader checks them as it goes). */
export function checkLimits(tree: RuleNode, locator: RuleLocator): void {
  let conditions = 0;
  const walk = (node: RuleNode, depth: number): void => {
    if ('and' in node || 'or' in node || 'not' in node) {
      if (depth > MAX_DEPTH)
        throw new RuleError(
          'too_complex',
          `query nests deeper than ${MAX_DEPTH} levels`,
          locator.where(node),
        );
      const children = 'and' in node ? node.and : 'or' in node ? node.or : [node.not];
      for (const child of children) walk(child, depth + 1);
      return;
    }
    if (++conditions > MAX_CONDITIONS) {
      throw new RuleError(
        'too_complex',
        `query has more than ${MAX_CONDITIONS} conditions`,
        locator.where(node),
      );
    }
  };
  walk(tree, 1);
}

/** Text or JSON tree → checked tree. Text is parsed; a tree is validated; both are limit-checked. */
export function readRule(query: unknown): ParsedRule {
  if (typeof query === 'string') {
    if (!query.trim()) throw new RuleError('syntax_error', 'query is empty', 'line 1, col 1');
    const parsed = parseRule(query);
    checkLimits(parsed.tree, parsed.locator);
    return parsed;
  }
  return readRuleTree(query);
}
