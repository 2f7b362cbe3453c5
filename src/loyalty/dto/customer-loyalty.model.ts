import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

@ObjectType('TierRef')
export class TierRefModel {
  @ApiProperty({ example: 'gold' })
  @Field()
  code: string;

  @ApiProperty({ example: 'Gold' })
  @Field()
  name: string;
}

@ObjectType('TierProgress')
export class TierProgressModel {
  @ApiProperty({ description: 'Net spend over the last 12 months.', example: '3200.00' })
  @Field()
  spend12m: string;

  @ApiPropertyOptional({ nullable: true, type: String, example: '5000.00' })
  @Field(() => String, { nullable: true })
  qualifySpend12m: string | null;

  @ApiProperty({ description: 'Points earned over the last 12 months.', example: 3200 })
  @Field(() => Int)
  points12m: number;

  @ApiPropertyOptional({ nullable: true, type: Number, example: 5000 })
  @Field(() => Int, { nullable: true })
  qualifyPoints: number | null;

  @ApiProperty({ description: 'Share of the nearest threshold reached, 0–100.', example: 64 })
  @Field(() => Float)
  percent: number;
}

@ObjectType('ExpiringPoints')
export class ExpiringPointsModel {
  @ApiProperty({ example: 300 })
  @Field(() => Int)
  points: number;

  @ApiProperty({ example: '2026-12-10T00:00:00.000Z' })
  @Field()
  expiresAt: string;
}

@ObjectType('PointsSummary')
export class PointsSummaryModel {
  @ApiProperty({ example: 1200 })
  @Field(() => Int)
  balance: number;

  @ApiProperty({ type: [ExpiringPointsModel], description: 'Points that expire within 30 days.' })
  @Field(() => [ExpiringPointsModel])
  expiringSoon: ExpiringPointsModel[];
}

@ObjectType('CustomerLoyalty')
export class CustomerLoyaltyModel {
  @ApiProperty({ type: TierRefModel })
  @Field(() => TierRefModel)
  tier: TierRefModel;

  @ApiPropertyOptional({ nullable: true, type: String, example: '2026-03-01T10:00:00.000Z' })
  @Field(() => String, { nullable: true })
  tierSince: string | null;

  @ApiPropertyOptional({ nullable: true, type: TierRefModel })
  @Field(() => TierRefModel, { nullable: true })
  nextTier: TierRefModel | null;

  @ApiPropertyOptional({ nullable: true, type: TierProgressModel })
  @Field(() => TierProgressModel, { nullable: true })
  progress: TierProgressModel | null;

  @ApiProperty({ type: PointsSummaryModel })
  @Field(() => PointsSummaryModel)
  points: PointsSummaryModel;
}
