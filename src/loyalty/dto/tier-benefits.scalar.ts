import { GraphQLScalarType, Kind, ValueNode } from 'graphql';

function literal(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.OBJECT:
      return Object.fromEntries(
        node.fields.map((field) => [field.name.value, literal(field.value)]),
      );
    case Kind.LIST:
      return node.values.map(literal);
    default:
      return null;
  }
}

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
  parseLiteral: (node) => asObject(literal(node)),
});
