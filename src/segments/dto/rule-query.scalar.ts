import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';

/**
 * A segment query as GraphQL sees it: either the text language or its JSON tree, exactly as
 * REST accepts it. The rule reader validates the content; the scalar only refuses non-values.
 */
export const RuleQueryScalar = new GraphQLScalarType({
  name: 'RuleQuery',
  description: 'Segment rule: text (`stats.totalSpent >= 1000 and consent.sms`) or its JSON tree.',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value === 'string' || (typeof value === 'object' && value !== null)) return value;
    throw new GraphQLError('RuleQuery must be a string or an object');
  },
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING || ast.kind === Kind.OBJECT) return valueFromASTUntyped(ast);
    throw new GraphQLError('RuleQuery must be a string or an object');
  },
});
