import type { FieldError } from '../common/errors/domain-error';

export type AttributeType = 'string' | 'number' | 'boolean' | 'date' | 'enum' | 'multi_enum';

export interface AttributeDefinitionLike {
  key: string;
  type: AttributeType;
  options: string[];
  group: 'hard' | 'soft';
  weight: number;
}

/** The built-in hard fields that count towards completeness (each weight 1). */
export const HARD_FIELDS = [
  'name',
  'gender',
  'birthday',
  'phone',
  'email',
  'address',
  'clothingSize',
  'shoeSize',
  'preferredStoreId',
] as const;
export type HardField = (typeof HARD_FIELDS)[number];

export interface CompletenessWeights {
  hard: number;
  soft: number;
}

/** The manuals weight soft data at 80 % of a profile's value. */
export const DEFAULT_COMPLETENESS_WEIGHTS: CompletenessWeights = { hard: 20, soft: 80 };

function isFilled(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/**
 * 0–100. Each group scores the weighted share of its filled items; groups then mix by the
 * tenant's weights. A group with nothing in it (no soft attributes defined yet) drops out and
 * the other takes its share, so a tenant without definitions can still reach 100.
 */
export function computeCompleteness(
  hard: Partial<Record<HardField, boolean>>,
  attributes: Record<string, unknown>,
  definitions: AttributeDefinitionLike[],
  weights: CompletenessWeights = DEFAULT_COMPLETENESS_WEIGHTS,
): number {
  const groups = { hard: { total: 0, filled: 0 }, soft: { total: 0, filled: 0 } };
  for (const field of HARD_FIELDS) {
    groups.hard.total += 1;
    if (hard[field]) groups.hard.filled += 1;
  }
  for (const definition of definitions) {
    const group = groups[definition.group];
    group.total += definition.weight;
    if (isFilled(attributes[definition.key])) group.filled += definition.weight;
  }
  let score = 0;
  let weightSum = 0;
  for (const name of ['hard', 'soft'] as const) {
    if (groups[name].total <= 0) continue;
    weightSum += weights[name];
    score += weights[name] * (groups[name].filled / groups[name].total);
  }
  return weightSum > 0 ? Math.round((score / weightSum) * 100) : 0;
}

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
export const MAX_ATTRIBUTE_STRING = 1000;

/**
 * Checks custom attribute values against the tenant's definitions. Null clears a value.
 * Returns one error per offending attribute, naming it.
 */
export function validateAttributes(
  values: Record<string, unknown>,
  definitions: Map<string, AttributeDefinitionLike>,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(values)) {
    const field = `attributes.${key}`;
    const definition = definitions.get(key);
    if (!definition) {
      errors.push({
        field,
        code: 'unknown_attribute',
        message: `${key} is not a defined attribute`,
      });
      continue;
    }
    if (value === null) continue;
    const problem = checkValue(definition, value);
    if (problem) errors.push({ field, code: problem.code, message: `${key} ${problem.message}` });
  }
  return errors;
}

function checkValue(
  definition: AttributeDefinitionLike,
  value: unknown,
): { code: string; message: string } | undefined {
  const wrongType = {
    code: 'wrong_type',
    message: `must be ${definition.type === 'multi_enum' ? 'a list of options' : `a ${definition.type}`}`,
  };
  switch (definition.type) {
    case 'string':
      if (typeof value !== 'string') return wrongType;
      return value.length > MAX_ATTRIBUTE_STRING
        ? { code: 'too_long', message: `is longer than ${MAX_ATTRIBUTE_STRING} characters` }
        : undefined;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : wrongType;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : wrongType;
    case 'date':
      return typeof value === 'string' &&
        DATE_PATTERN.test(value) &&
        !Number.isNaN(Date.parse(value))
        ? undefined
        : wrongType;
    case 'enum':
      if (typeof value !== 'string') return wrongType;
      return definition.options.includes(value)
        ? undefined
        : { code: 'not_allowed', message: `must be one of ${definition.options.join(', ')}` };
    case 'multi_enum':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return wrongType;
      if (new Set(value).size !== value.length)
        return { code: 'duplicate', message: 'lists an option twice' };
      return value.every((v) => definition.options.includes(v as string))
        ? undefined
        : { code: 'not_allowed', message: `may only contain ${definition.options.join(', ')}` };
  }
}
