import { GraphQLScalarType } from 'graphql';
import { jsonLiteral } from '../../graphql/json-literal';

function asObject(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new TypeError('benefits must be a JSON object');
  return value as Record<string, unknown>;
}

/** A tier's free-form benefits (e.g. `{ "discountPercent": 5 }`): any JSON object. */
export const TierBenefitsScalar = new GraphQLScalarType({
  name: 'TierBenefits',
  description: 'Free-form JSON object of tier benefits, e.g. {"discountPercent": 5}.',
  serialize: (value) => (value ?? {}) as Record<string, unknown>,
  parseValue: asObject,
  parseLiteral: (node) => asObject(jsonLiteral(node)),
});
