import { CustomScalar, Scalar } from '@nestjs/graphql';
import { Kind, ValueNode } from 'graphql';

function literal(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value)]));
    default:
      return undefined;
  }
}

/** Free-form JSON object: custom attribute values and blocks other features add to a customer. */
export class CustomerJson {}

@Scalar('CustomerJSON', () => CustomerJson)
export class CustomerJsonScalar implements CustomScalar<unknown, unknown> {
  description =
    'A JSON object (custom attributes, or a block another feature adds to the customer view).';
  parseValue(value: unknown): unknown {
    return value;
  }
  serialize(value: unknown): unknown {
    return value;
  }
  parseLiteral(node: ValueNode): unknown {
    return literal(node);
  }
}
