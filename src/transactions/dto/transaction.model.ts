import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FieldErrorModel } from '../../common/http/api-problems.decorator';

@ObjectType('TransactionResult')
export class TransactionResultModel {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ enum: ['sale', 'return'] })
  @Field()
  type: string;

  @ApiProperty({ example: 'pos-store-001' })
  @Field()
  source: string;

  @ApiProperty({ example: 'R-20261123-000187' })
  @Field()
  externalId: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @Field(() => String, { nullable: true })
  customerId: string | null;

  @ApiProperty({
    description:
      'Points this transaction changed: earned (+) by a sale, taken back (−) by a return.',
    example: 128,
  })
  @Field(() => Int)
  pointsEarned: number;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'Balance after the transaction; null for an anonymous receipt.',
    example: 1328,
  })
  @Field(() => Int, { nullable: true })
  pointsBalance: number | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'silver' })
  @Field(() => String, { nullable: true })
  tier: string | null;

  @ApiProperty({
    description: 'True when this sale lifted the customer into a higher tier.',
    example: false,
  })
  @Field()
  tierChanged: boolean;
}

@ObjectType('TransactionItem')
export class TransactionItemModel {
  @ApiProperty({ example: 'SKU-10293' })
  @Field()
  sku: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @Field(() => String, { nullable: true })
  name: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @Field(() => String, { nullable: true })
  category: string | null;

  @ApiProperty({ example: '2' })
  @Field()
  quantity: string;

  @ApiProperty({ example: '64.25' })
  @Field()
  unitPrice: string;

  @ApiProperty({ example: '128.50' })
  @Field()
  amount: string;
}

@ObjectType('Transaction')
export class TransactionModel {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ enum: ['sale', 'return'] })
  @Field()
  type: string;

  @ApiProperty()
  @Field()
  source: string;

  @ApiProperty()
  @Field()
  externalId: string;

  @ApiPropertyOptional({ nullable: true, type: String })
  @Field(() => String, { nullable: true })
  customerId: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @Field(() => String, { nullable: true })
  storeId: string | null;

  @ApiProperty({ example: '2026-11-23T02:15:00.000Z' })
  @Field()
  occurredAt: string;

  @ApiProperty({ example: 'CNY' })
  @Field()
  currency: string;

  @ApiProperty({ example: '128.50' })
  @Field()
  total: string;

  @ApiProperty({ example: 128 })
  @Field(() => Int)
  points: number;

  @ApiPropertyOptional({ nullable: true, type: String })
  @Field(() => String, { nullable: true })
  originalId: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  @Field(() => String, { nullable: true })
  claimedAt: string | null;

  @ApiProperty({ type: [TransactionItemModel] })
  @Field(() => [TransactionItemModel])
  items: TransactionItemModel[];

  @ApiProperty()
  @Field()
  createdAt: string;
}

@ObjectType('TransactionPage')
export class TransactionPageModel {
  @ApiProperty({ type: [TransactionModel] })
  @Field(() => [TransactionModel])
  items: TransactionModel[];

  @ApiProperty({ nullable: true, type: String })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}

export class BatchItemErrorModel {
  @ApiProperty({ example: 'validation_failed' })
  code: string;
  @ApiProperty({ example: 'The items do not add up to total.' })
  detail: string;
  @ApiPropertyOptional({ type: [FieldErrorModel] })
  errors?: FieldErrorModel[];
}

export class BatchItemResultModel {
  @ApiProperty({ example: 0 })
  index: number;
  @ApiProperty({ enum: ['created', 'duplicate', 'error'] })
  status: 'created' | 'duplicate' | 'error';
  @ApiPropertyOptional({ format: 'uuid' })
  id?: string;
  @ApiPropertyOptional({ type: TransactionResultModel })
  result?: TransactionResultModel;
  @ApiPropertyOptional({ type: BatchItemErrorModel })
  error?: BatchItemErrorModel;
}

export class BatchResultModel {
  @ApiProperty({ type: [BatchItemResultModel] })
  results: BatchItemResultModel[];
}
