import { DomainError } from '../../common/errors/domain-error';
import { toMinorUnits } from '../../common/money';
import {
  ConditionNode,
  durationMs,
  isCurrentMonth,
  isRelativeDate,
  PurchasedNode,
  RuleNode,
  RuleScalar,
} from './rule-ast';
import { RuleError, RuleErrorCode } from './rule-error';
import { ATTRIBUTE_KEY, FieldJoin, FieldSpec, FieldType, RULE_FIELDS } from './rule-fields';
import { CONSENT_CHANNELS, marketingConsentSql, READ_MODELS } from './read-models';
import { RuleLocator } from './rule-parser';
import { SqlParams } from './sql-params';

export interface CompileContext {
  /** The (injectable) clock's now: relative dates resolve against it, not the database's. */
  now: Date;
  /** Tenant time zone (IANA) for calendar values: dates, ages, current month. */
  timeZone: string;
  /** Tenant currency: money literals are major units (`1000` = 1000.00 CNY). */
  currency: string;
}

export interface CompiledRule {
  /** Boolean SQL over alias `c` (customers) and the joined aliases. */
  where: string;
  /** LEFT JOINs the condition needs (stats `s`, rfm `r`), in a fixed order. */
  joins: string;
}

const ORDERING = new Set(['<', '<=', '>', '>=']);
const OPS_BY_TYPE: Record<FieldType, ReadonlySet<string>> = {
  string: new Set(['=', '!=', 'in', 'not in', 'is null', 'is not null']),
  enum: new Set(['=', '!=', 'in', 'not in', 'is null', 'is not null']),
  number: new Set([
    '=',
    '!=',
    '<',
    '<=',
    '>',
    '>=',
    'in',
    'not in',
    'between',
    'is null',
    'is not null',
  ]),
  money: new Set([
    '=',
    '!=',
    '<',
    '<=',
    '>',
    '>=',
    'in',
    'not in',
    'between',
    'is null',
    'is not null',
  ]),
  date: new Set(['=', '!=', '<', '<=', '>', '>=', 'between', 'is null', 'is not null']),
  boolean: new Set(['=', '!=']),
  tags: new Set(['contains', 'is null', 'is not null']),
  presence: new Set(['is null', 'is not null']),
};
const TYPE_NAMES: Record<FieldType, string> = {
  string: 'text',
  enum: 'a fixed set of values',
  number: 'a number',
  money: 'an amount',
  date: 'a date',
  boolean: 'true/false',
  tags: 'a tag list',
  presence: 'present/absent',
};

/**
 * Turns a checked rule tree into a parameterised SQL condition. Every identifier comes from
 * the field catalogue or a fixed allow-list; every caller value becomes a `$n` parameter.
 * Logic is two-valued: a condition on a missing value is false, so `not x` includes
 * customers for whom x is unknown (e.g. `not stats.aov > 100` includes non-buyers).
 */
export function compileRule(
  tree: RuleNode,
  locator: RuleLocator,
  context: CompileContext,
  params: SqlParams,
): CompiledRule {
  const joins = new Set<FieldJoin>();
  let nowParam: string | undefined;
  let tzParam: string | undefined;
  const now = () => (nowParam ??= params.add(context.now, 'timestamptz'));
  const tz = () => (tzParam ??= params.add(context.timeZone, 'text'));
  const fill = (sql: string) => sql.replace(/\{now\}/g, () => now()).replace(/\{tz\}/g, () => tz());

  const where = compileNode(tree);
  const joinSql: string[] = [];
  if (joins.has('stats')) {
    joinSql.push(
      `LEFT JOIN ${READ_MODELS.stats.table} s ON s.tenant_id = c.tenant_id AND s.${READ_MODELS.stats.customerId} = c.id`,
    );
  }
  if (joins.has('rfm'))
    joinSql.push('LEFT JOIN customer_rfm r ON r.tenant_id = c.tenant_id AND r.customer_id = c.id');
  return { where, joins: joinSql.join(' ') };

  function fail(node: object, code: RuleErrorCode, reason: string, part?: 'value'): never {
    throw new RuleError(code, reason, locator.where(node, part));
  }

  function compileNode(node: RuleNode): string {
    if ('and' in node) return `(${node.and.map(compileNode).join(' AND ')})`;
    if ('or' in node) return `(${node.or.map(compileNode).join(' OR ')})`;
    if ('not' in node) return `(NOT coalesce(${compileNode(node.not)}, false))`;
    if ('purchased' in node) return compilePurchased(node);
    return compileCondition(node);
  }

  function compilePurchased(node: PurchasedNode): string {
    const t = READ_MODELS.transactions;
    const i = READ_MODELS.items;
    const { category, sku, store, within } = node.purchased;
    const conditions = [
      `t.tenant_id = c.tenant_id`,
      `t.${t.customerId} = c.id`,
      `t.${t.type} = '${t.sale}'`,
    ];
    if (category !== undefined)
      conditions.push(`i.${i.category} = ${params.add(category, 'text')}`);
    if (sku !== undefined) conditions.push(`i.${i.sku} = ${params.add(sku, 'text')}`);
    if (store !== undefined) conditions.push(`t.${t.storeId} = ${params.add(store, 'text')}`);
    if (within !== undefined) {
      conditions.push(
        `t.${t.occurredAt} >= ${params.add(new Date(context.now.getTime() - durationMs(within)), 'timestamptz')}`,
      );
    }
    const items =
      category !== undefined || sku !== undefined
        ? ` JOIN ${i.table} i ON i.tenant_id = t.tenant_id AND i.${i.transactionId} = t.id`
        : '';
    return `EXISTS (SELECT 1 FROM ${t.table} t${items} WHERE ${conditions.join(' AND ')})`;
  }

  function compileCondition(node: ConditionNode): string {
    if (node.field.startsWith('attr.')) return compileAttribute(node, node.field.slice(5));
    if (node.field.startsWith('consent.')) return compileConsent(node, node.field.slice(8));
    const spec = RULE_FIELDS[node.field];
    if (!spec) fail(node, 'unknown_field', `unknown field ${node.field}`);
    if (node.op === '=' && node.value === true && spec.type !== 'boolean') {
      fail(
        node,
        'type_mismatch',
        `${node.field} is ${TYPE_NAMES[spec.type]}, not true/false; compare it with a value`,
      );
    }
    if (!OPS_BY_TYPE[spec.type].has(node.op)) {
      fail(
        node,
        'type_mismatch',
        `${node.field} is ${TYPE_NAMES[spec.type]}; "${node.op}" does not apply (use ${[...OPS_BY_TYPE[spec.type]].join(', ')})`,
      );
    }
    if (spec.join) joins.add(spec.join);
    const column = fill(spec.sql);
    switch (node.op) {
      case 'is null':
        return spec.type === 'tags' ? `(cardinality(${column}) = 0)` : `(${column} IS NULL)`;
      case 'is not null':
        return spec.type === 'tags' ? `(cardinality(${column}) > 0)` : `(${column} IS NOT NULL)`;
      case 'contains':
        return `(${column} @> ARRAY[${scalar(node, spec, node.value as RuleScalar, 'string')}]::text[])`;
      case 'in':
      case 'not in': {
        const list = node.value as RuleScalar[];
        const sqlType = spec.type === 'number' || spec.type === 'money' ? 'numeric[]' : 'text[]';
        const values = list.map((v) => literal(node, spec, v));
        const array = params.add(values, sqlType);
        return node.op === 'in'
          ? `(${column} = ANY(${array}))`
          : `coalesce(${column} <> ALL(${array}), true)`;
      }
      case 'between': {
        const [low, high] = node.value as RuleScalar[];
        return `(${column} BETWEEN ${scalar(node, spec, low)} AND ${scalar(node, spec, high)})`;
      }
      case '!=':
        return `(${column} IS DISTINCT FROM ${scalar(node, spec, node.value as RuleScalar)})`;
      default:
        return `(${column} ${node.op} ${scalar(node, spec, node.value as RuleScalar)})`;
    }
  }

  /** One value as SQL: a typed parameter, or an expression of now/tz for relative values. */
  function scalar(
    node: ConditionNode,
    spec: FieldSpec,
    value: RuleScalar,
    forceType?: FieldType,
  ): string {
    const type = forceType ?? spec.type;
    if (type === 'date') {
      if (isRelativeDate(value)) {
        const offset = value.now
          ? (value.now.startsWith('-') ? -1 : 1) * durationMs(value.now.slice(1))
          : 0;
        return params.add(new Date(context.now.getTime() + offset), 'timestamptz');
      }
      if (
        typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}$/.test(value) &&
        !Number.isNaN(Date.parse(value))
      ) {
        return `(${params.add(value, 'timestamp')} AT TIME ZONE ${tz()})`;
      }
      if (
        typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}T/.test(value) &&
        !Number.isNaN(Date.parse(value))
      ) {
        return params.add(new Date(value), 'timestamptz');
      }
      return fail(
        node,
        'type_mismatch',
        `${node.field} is a date; use now() - 90d or "2026-01-31"`,
        'value',
      );
    }
    if (type === 'number' && isCurrentMonth(value))
      return `extract(month FROM (${now()} AT TIME ZONE ${tz()}))`;
    if (type === 'boolean') {
      if (typeof value !== 'boolean')
        fail(
          node,
          'type_mismatch',
          `${node.field} is true/false; compare it with true or false`,
          'value',
        );
      return params.add(value, 'boolean');
    }
    return params.add(
      literal(node, spec, value, type),
      type === 'number' || type === 'money' ? 'numeric' : 'text',
    );
  }

  /** A plain (non-relative) value checked against the field type, as the parameter value. */
  function literal(
    node: ConditionNode,
    spec: FieldSpec,
    value: RuleScalar,
    type: FieldType = spec.type,
  ): string | number {
    if (type === 'number' || type === 'money') {
      if (typeof value !== 'number') {
        fail(
          node,
          'type_mismatch',
          `${node.field} is ${TYPE_NAMES[spec.type]}; ${describe(value)} is not a number`,
          'value',
        );
      }
      if (type === 'number') return value;
      try {
        return toMinorUnits(String(value), context.currency, node.field, {
          allowNegative: true,
        }).toString();
      } catch (error) {
        if (error instanceof DomainError)
          fail(
            node,
            'invalid_value',
            `${node.field}: ${value} is not a valid ${context.currency} amount`,
            'value',
          );
        throw error;
      }
    }
    if (typeof value !== 'string') {
      fail(
        node,
        'type_mismatch',
        `${node.field} is ${TYPE_NAMES[spec.type]}; ${describe(value)} is not a string`,
        'value',
      );
    }
    if (type === 'enum' && spec.values && !spec.values.includes(value)) {
      fail(
        node,
        'invalid_value',
        `${node.field} is one of ${spec.values.join(', ')}; "${value}" is not`,
        'value',
      );
    }
    return value;
  }

  function compileConsent(node: ConditionNode, channel: string): string {
    if (!(CONSENT_CHANNELS as readonly string[]).includes(channel)) {
      fail(
        node,
        'unknown_field',
        `unknown field ${node.field} (channels: ${CONSENT_CHANNELS.join(', ')})`,
      );
    }
    if ((node.op !== '=' && node.op !== '!=') || typeof node.value !== 'boolean') {
      fail(
        node,
        'type_mismatch',
        `${node.field} is true/false; write consent.${channel} or not consent.${channel}`,
      );
    }
    const granted = marketingConsentSql('c', params.add(channel));
    return (node.op === '=') === node.value ? granted : `(NOT ${granted})`;
  }

  function compileAttribute(node: ConditionNode, key: string): string {
    if (!ATTRIBUTE_KEY.test(key))
      fail(node, 'unknown_field', `invalid attribute key in ${node.field}`);
    const keyParam = () => params.add(key, 'text');
    const containment = (value: unknown) => params.add(JSON.stringify({ [key]: value }), 'jsonb');
    const values =
      node.value === undefined ? [] : Array.isArray(node.value) ? node.value : [node.value];
    for (const value of values) {
      if (typeof value === 'object')
        fail(
          node,
          'type_mismatch',
          `${node.field} is compared with plain strings, numbers or booleans`,
          'value',
        );
    }
    const kinds = new Set(values.map((v) => typeof v));
    if (kinds.size > 1)
      fail(node, 'type_mismatch', `${node.field}: mixed value types in one condition`, 'value');
    const kind = [...kinds][0];
    switch (node.op) {
      case 'is null':
        return `(coalesce(jsonb_typeof(c.attributes -> ${keyParam()}), 'null') = 'null')`;
      case 'is not null':
        return `(coalesce(jsonb_typeof(c.attributes -> ${keyParam()}), 'null') <> 'null')`;
      case '=':
        return `(c.attributes @> ${containment(node.value)})`;
      case '!=':
        return `(NOT c.attributes @> ${containment(node.value)})`;
      case 'contains':
        return `(c.attributes @> ${containment([node.value])})`;
      case 'in':
      case 'not in': {
        const array = params.add(
          values.map((v) => JSON.stringify(v)),
          'jsonb[]',
        );
        const test = `(c.attributes -> ${keyParam()}) = ANY(${array})`;
        return node.op === 'in' ? `coalesce(${test}, false)` : `(NOT coalesce(${test}, false))`;
      }
      default: {
        if (kind === 'boolean')
          fail(
            node,
            'type_mismatch',
            `${node.field}: "${node.op}" needs numbers or strings`,
            'value',
          );
        const k = keyParam();
        const column =
          kind === 'number'
            ? `(CASE WHEN jsonb_typeof(c.attributes -> ${k}) = 'number' THEN (c.attributes ->> ${k})::numeric END)`
            : `(CASE WHEN jsonb_typeof(c.attributes -> ${k}) = 'string' THEN c.attributes ->> ${k} END)`;
        const cast = kind === 'number' ? 'numeric' : 'text';
        if (node.op === 'between') {
          return `(${column} BETWEEN ${params.add(values[0], cast)} AND ${params.add(values[1], cast)})`;
        }
        if (!ORDERING.has(node.op))
          fail(node, 'type_mismatch', `${node.field}: "${node.op}" does not apply`);
        return `(${column} ${node.op} ${params.add(values[0], cast)})`;
      }
    }
  }
}

function describe(value: RuleScalar): string {
  if (typeof value === 'string') return `"${value}"`;
  if (isRelativeDate(value))
    return `now()${value.now ? ` ${value.now[0]} ${value.now.slice(1)}` : ''}`;
  if (isCurrentMonth(value)) return 'currentMonth()';
  return String(value);
}
