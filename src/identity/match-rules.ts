import { DomainError, FieldError } from '../common/errors/domain-error';

/**
 * What a rule matches on. Identity types match when a write brings that identity and another
 * customer holds it; `phone_verified` is a phone the holder has verified (or registered as its
 * profile phone); `name_birthday` is not an identity, so it can only suggest.
 */
export const MATCH_KEYS = [
  'wechat_unionid',
  'phone_verified',
  'phone',
  'email',
  'member_no',
  'wechat_openid',
  'wework_external_userid',
  'external',
  'name_birthday',
] as const;
export type MatchKey = (typeof MATCH_KEYS)[number];
export const MATCH_ACTIONS = ['merge', 'suggest'] as const;
export type MatchAction = (typeof MATCH_ACTIONS)[number];

export interface MatchRule {
  match: MatchKey;
  action: MatchAction;
}

/** The default: unionid and verified phone auto-merge; e-mail and name + birthday only suggest. */
export const DEFAULT_MATCH_RULES: MatchRule[] = [
  { match: 'wechat_unionid', action: 'merge' },
  { match: 'phone_verified', action: 'merge' },
  { match: 'email', action: 'suggest' },
  { match: 'name_birthday', action: 'suggest' },
];

/** Keys that can never merge on their own: not a person's unique id. */
const SUGGEST_ONLY: ReadonlySet<MatchKey> = new Set(['name_birthday']);

/** Validates a rule list (order = priority); throws 422 with one error per bad entry. */
export function validateMatchRules(rules: { match: string; action: string }[]): MatchRule[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    if (!(MATCH_KEYS as readonly string[]).includes(rule.match)) {
      errors.push({
        field: `rules[${i}].match`,
        code: 'not_allowed',
        message: `match must be one of ${MATCH_KEYS.join(', ')}`,
      });
    } else if (seen.has(rule.match)) {
      errors.push({
        field: `rules[${i}].match`,
        code: 'duplicate',
        message: `${rule.match} is listed twice; order gives the priority.`,
      });
    }
    seen.add(rule.match);
    if (!(MATCH_ACTIONS as readonly string[]).includes(rule.action)) {
      errors.push({
        field: `rules[${i}].action`,
        code: 'not_allowed',
        message: `action must be one of ${MATCH_ACTIONS.join(', ')}`,
      });
    } else if (rule.action === 'merge' && SUGGEST_ONLY.has(rule.match as MatchKey)) {
      errors.push({
        field: `rules[${i}].action`,
        code: 'not_allowed',
        message: `${rule.match} is not an identity and can only suggest.`,
      });
    }
  });
  if (errors.length) throw DomainError.validation(errors);
  return rules.map((r) => ({ match: r.match as MatchKey, action: r.action as MatchAction }));
}

/** A write brought `type` (already held by another customer); which rule applies, if any. */
export function ruleFor(
  rules: MatchRule[],
  type: string,
  holderVerified: boolean,
): MatchRule | undefined {
  if (type === 'phone') {
    const verified = holderVerified ? rules.find((r) => r.match === 'phone_verified') : undefined;
    return verified ?? rules.find((r) => r.match === 'phone');
  }
  return rules.find((r) => r.match === type);
}

/** Lower is stronger: the order the tenant gave. */
export function priorityOf(rules: MatchRule[], rule: MatchRule): number {
  return rules.indexOf(rule);
}
