import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RuleQueryScalar } from './rule-query.scalar';

@ObjectType('Segment')
export class SegmentModel {
  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ example: '高价值短信会员' })
  @Field()
  name: string;

  @ApiPropertyOptional({ example: 'Members with over ¥1000 spent who accept SMS', nullable: true })
  @Field(() => String, { nullable: true })
  description: string | null;

  @ApiProperty({
    description: 'The query text, or null when it was given as a JSON tree.',
    example: 'stats.totalSpent >= 1000 and consent.sms',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  query: string | null;

  @ApiProperty({
    description: 'The checked JSON tree of the rule.',
    type: 'object',
    additionalProperties: true,
    example: { field: 'stats.totalSpent', op: '>=', value: 1000 },
  })
  @Field(() => RuleQueryScalar)
  tree: unknown;

  @ApiPropertyOptional({
    description: 'Key of a built-in segment (read-only), e.g. `rfm.champions`, `gold`.',
    example: 'rfm.champions',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  builtIn: string | null;

  @ApiProperty({ description: 'Members at the last refresh.', example: 1280 })
  @Field(() => Int)
  memberCount: number;

  @ApiPropertyOptional({ example: '2026-11-23T02:00:00.000Z', nullable: true })
  @Field(() => String, { nullable: true })
  refreshedAt: string | null;

  @ApiProperty({ example: '2026-11-23T01:00:00.000Z' })
  @Field()
  createdAt: string;

  @ApiProperty({ example: '2026-11-23T01:00:00.000Z' })
  @Field()
  updatedAt: string;
}

@ObjectType('SegmentPage')
export class SegmentPageModel {
  @ApiProperty({ type: [SegmentModel] })
  @Field(() => [SegmentModel])
  items: SegmentModel[];

  @ApiProperty({ nullable: true, example: null })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}

@ObjectType('SegmentCustomer')
export class SegmentCustomerModel {
  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a21' })
  @Field(() => ID)
  customerId: string;

  @ApiProperty({ example: 'M00012345' })
  @Field()
  memberNo: string;

  @ApiProperty({ example: 'female' })
  @Field()
  gender: string;

  @ApiPropertyOptional({ example: '上海', nullable: true })
  @Field(() => String, { nullable: true })
  city: string | null;

  @ApiPropertyOptional({ example: 'S001', nullable: true })
  @Field(() => String, { nullable: true })
  storeId: string | null;

  @ApiPropertyOptional({ example: 'gold', nullable: true })
  @Field(() => String, { nullable: true })
  tier: string | null;

  @ApiPropertyOptional({
    description: 'When the customer entered the segment (members only).',
    example: '2026-11-23T02:00:00.000Z',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  enteredAt?: string | null;
}

@ObjectType('SegmentPreview')
export class SegmentPreviewModel {
  @ApiProperty({ description: 'Active customers matching now.', example: 1280 })
  @Field(() => Int)
  count: number;

  @ApiProperty({ type: [SegmentCustomerModel], description: 'Up to 20 matching customers.' })
  @Field(() => [SegmentCustomerModel])
  sample: SegmentCustomerModel[];
}

@ObjectType('SegmentMemberPage')
export class SegmentMemberPageModel {
  @ApiProperty({ type: [SegmentCustomerModel] })
  @Field(() => [SegmentCustomerModel])
  items: SegmentCustomerModel[];

  @ApiProperty({ nullable: true, example: 'WyIwMTkyZjBjMS03YjNhIl0' })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}

@ObjectType('SegmentRefreshJob')
export class SegmentRefreshJobModel {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  segmentId: string;

  @ApiProperty({ enum: ['queued', 'running', 'succeeded', 'failed'], example: 'queued' })
  @Field()
  status: string;

  @ApiPropertyOptional({ example: 1280, nullable: true })
  @Field(() => Int, { nullable: true })
  memberCount: number | null;

  @ApiPropertyOptional({
    description: 'Customers that entered (segment.entered events written).',
    example: 40,
    nullable: true,
  })
  @Field(() => Int, { nullable: true })
  entered: number | null;

  @ApiPropertyOptional({
    description: 'Customers that left (segment.exited events written).',
    example: 12,
    nullable: true,
  })
  @Field(() => Int, { nullable: true })
  exited: number | null;

  @ApiPropertyOptional({ nullable: true, example: null })
  @Field(() => String, { nullable: true })
  error: string | null;

  @ApiProperty({ example: '2026-11-23T02:00:00.000Z' })
  @Field()
  createdAt: string;

  @ApiPropertyOptional({ nullable: true, example: '2026-11-23T02:00:03.000Z' })
  @Field(() => String, { nullable: true })
  finishedAt: string | null;
}
