/**
 * The segment rule tree. The text language parses into exactly this shape, and callers may
 * send it directly as JSON, so both inputs reach the compiler through the same checks.
 */
export type RelativeDate = { now: string };
export type CurrentMonth = { currentMonth: true };
export type RuleScalar = string | number | boolean | RelativeDate | CurrentMonth;

export const COMPARISON_OPERATORS = ['=', '!=', '<', '<=', '>', '>='] as const;
export const RULE_OPERATORS = [
  ...COMPARISON_OPERATORS,
  'in',
  'not in',
  'contains',
  'between',
  'is null',
  'is not null',
] as const;
export type RuleOperator = (typeof RULE_OPERATORS)[number];

export interface ConditionNode {
  field: string;
  op: RuleOperator;
  /** A scalar; a list for `in` / `not in`; `[low, high]` for `between`; absent for `is null`. */
  value?: RuleScalar | RuleScalar[];
}

export interface PurchasedArgs {
  category?: string;
  sku?: string;
  store?: string;
  /** Duration such as `180d`: only purchases in that window before now. */
  within?: string;
}

export interface PurchasedNode {
  purchased: PurchasedArgs;
}

export type RuleNode =
  { and: RuleNode[] } | { or: RuleNode[] } | { not: RuleNode } | ConditionNode | PurchasedNode;

export const PURCHASED_ARGS = ['category', 'sku', 'store', 'within'] as const;

export const MAX_DEPTH = 20;
export const MAX_CONDITIONS = 200;
export const MAX_TEXT_LENGTH = 10_000;
export const MAX_STRING_LENGTH = 500;
export const MAX_LIST_ITEMS = 1_000;

/** `90d`, `12w`, `36h`, `1y` (365 days). Months are left out: their length varies. */
export const DURATION_PATTERN = /^(\d{1,6})([hdwy])$/;
const UNIT_MS: Record<string, number> = {
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

export function durationMs(text: string): number {
  const match = DURATION_PATTERN.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** `now()` offset: '' (now), '-90d', '+7d'. */
export const RELATIVE_PATTERN = /^([+-]\d{1,6}[hdwy])?$/;

export function isRelativeDate(value: unknown): value is RelativeDate {
  return typeof value === 'object' && value !== null && 'now' in value;
}

export function isCurrentMonth(value: unknown): value is CurrentMonth {
  return typeof value === 'object' && value !== null && 'currentMonth' in value;
}
