import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CustomerModel } from '../../customers/dto/customer.model';
import { CustomerJson } from '../../customers/dto/json-object.scalar';

@ObjectType('MergeFieldValue')
export class MergeFieldValueModel {
  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a21' })
  @Field()
  customerId: string;

  @ApiPropertyOptional({
    description: 'The value on that record (masked like the customer view).',
    example: 'li.si@example.com',
    nullable: true,
  })
  @Field(() => CustomerJson, { nullable: true })
  value: unknown;
}

@ObjectType('MergeFieldOutcome')
export class MergeFieldOutcomeModel {
  @ApiProperty({ example: 'email' })
  @Field()
  field: string;

  @ApiPropertyOptional({
    description:
      'The record whose value the merged record keeps; null when the result combines values (tags, attributes) or none has one.',
    example: '0192f0c1-8c00-7c4e-9a51-3d2f8e6b1a22',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  winner: string | null;

  @ApiProperty({
    description: 'True when the records hold different non-empty values.',
    example: false,
  })
  @Field()
  conflict: boolean;

  @ApiProperty({ type: [MergeFieldValueModel] })
  @Field(() => [MergeFieldValueModel])
  values: MergeFieldValueModel[];

  @ApiPropertyOptional({
    description: 'The merged value.',
    example: 'li.si@example.com',
    nullable: true,
  })
  @Field(() => CustomerJson, { nullable: true })
  result: unknown;
}

@ObjectType('MergeLoyaltyOutcome')
export class MergeLoyaltyOutcomeModel {
  @ApiPropertyOptional({ example: 'gold', nullable: true })
  @Field(() => String, { nullable: true })
  tier: string | null;

  @ApiProperty({ example: 1200 })
  @Field(() => Int)
  points: number;
}

@ObjectType('MergePreview')
export class MergePreviewModel {
  @ApiProperty({ type: CustomerModel, description: 'The survivor as the merge would leave it.' })
  @Field(() => CustomerModel)
  result: CustomerModel;

  @ApiProperty({
    type: [MergeFieldOutcomeModel],
    description: 'Per field: which record wins and whether the records disagree.',
  })
  @Field(() => [MergeFieldOutcomeModel])
  fields: MergeFieldOutcomeModel[];

  @ApiPropertyOptional({
    description: 'Consent after the merge: the most restrictive state per purpose and channel.',
    example: { marketing: { sms: false } },
    nullable: true,
  })
  @Field(() => CustomerJson, { nullable: true })
  consents: unknown;

  @ApiProperty({
    type: MergeLoyaltyOutcomeModel,
    description: 'Tier (the best of the records) and points (the sum) after the merge.',
  })
  @Field(() => MergeLoyaltyOutcomeModel)
  loyalty: MergeLoyaltyOutcomeModel;

  @ApiProperty({
    type: [String],
    description: 'Identities that would move to the survivor, as type (namespace).',
    example: ['wechat_openid (wxmp)'],
  })
  @Field(() => [String])
  movingIdentities: string[];
}
