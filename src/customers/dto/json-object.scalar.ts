import { CustomScalar, Scalar } from '@nestjs/graphql';
import { jsonLiteral } from '../../graphql/json-literal';
import { ValueNode } from 'graphql';

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
    return jsonLiteral(node);
  }
}
