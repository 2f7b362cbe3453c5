import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

@ObjectType('ReportPeriod')
export class ReportPeriodModel {
  @ApiProperty({ example: '2026-11-01' })
  @Field()
  from: string;

  @ApiProperty({ example: '2026-11-30' })
  @Field()
  to: string;

  @ApiProperty({ example: 'Asia/Shanghai' })
  @Field()
  timeZone: string;
}

@ObjectType('CustomerCounts')
export class CustomerCountsModel {
  @ApiProperty({ description: 'Active customers now.', example: 12000 })
  @Field(() => Int)
  total: number;

  @ApiProperty({ description: 'Registered in the period.', example: 340 })
  @Field(() => Int)
  new: number;

  @ApiProperty({ description: 'Bought in the period.', example: 2100 })
  @Field(() => Int)
  active: number;

  @ApiProperty({
    description:
      'Bought before but not in the lapsed window (segment settings) before the period end.',
    example: 800,
  })
  @Field(() => Int)
  lapsed: number;
}

@ObjectType('TierCount')
export class TierCountModel {
  @ApiPropertyOptional({ example: 'gold', nullable: true })
  @Field(() => String, { nullable: true })
  tier: string | null;

  @ApiProperty({ example: 120 })
  @Field(() => Int)
  customers: number;
}

@ObjectType('PointsFlow')
export class PointsFlowModel {
  @ApiProperty({ example: 120000 })
  @Field(() => Float)
  issued: number;

  @ApiProperty({ example: 30000 })
  @Field(() => Float)
  redeemed: number;

  @ApiProperty({ example: 5000 })
  @Field(() => Float)
  expired: number;
}

@ObjectType('OverviewReport')
export class OverviewReportModel {
  @ApiProperty({ type: ReportPeriodModel })
  @Field(() => ReportPeriodModel)
  period: ReportPeriodModel;

  @ApiProperty({ type: CustomerCountsModel })
  @Field(() => CustomerCountsModel)
  customers: CustomerCountsModel;

  @ApiPropertyOptional({
    description: "Share of the period's buyers with 2+ purchases in it.",
    example: 0.31,
    nullable: true,
  })
  @Field(() => Float, { nullable: true })
  repeatPurchaseRate: number | null;

  @ApiPropertyOptional({
    description: "Share of the previous period's buyers who bought again in this one.",
    example: 0.42,
    nullable: true,
  })
  @Field(() => Float, { nullable: true })
  retentionRate: number | null;

  @ApiProperty({ description: 'Buyers in the previous period of the same length.', example: 1900 })
  @Field(() => Int)
  previousPeriodActive: number;

  @ApiProperty({ description: 'Sales total / number of sales.', example: '328.50' })
  @Field()
  averageOrderValue: string;

  @ApiProperty({ description: 'Net revenue (sales minus returns).', example: '690000.00' })
  @Field()
  revenue: string;

  @ApiPropertyOptional({
    description: 'Share of net revenue from identified members.',
    example: 0.78,
    nullable: true,
  })
  @Field(() => Float, { nullable: true })
  memberRevenueShare: number | null;

  @ApiProperty({ example: 'CNY' })
  @Field()
  currency: string;

  @ApiProperty({ type: [TierCountModel] })
  @Field(() => [TierCountModel])
  tierMix: TierCountModel[];

  @ApiProperty({ type: PointsFlowModel, description: 'Points in the period (all stores).' })
  @Field(() => PointsFlowModel)
  points: PointsFlowModel;
}

@ObjectType('RfmCell')
export class RfmCellModel {
  @ApiProperty({ example: 5 })
  @Field(() => Int)
  r: number;

  @ApiProperty({ example: 4 })
  @Field(() => Int)
  f: number;

  @ApiProperty({ example: 310 })
  @Field(() => Int)
  customers: number;

  @ApiProperty({ description: "Net spend of the cell's customers.", example: '402000.00' })
  @Field()
  monetary: string;
}

@ObjectType('RfmSegmentCount')
export class RfmSegmentCountModel {
  @ApiProperty({ example: 'champions' })
  @Field()
  segment: string;

  @ApiProperty({ example: 310 })
  @Field(() => Int)
  customers: number;

  @ApiProperty({ example: '402000.00' })
  @Field()
  monetary: string;
}

@ObjectType('RfmReport')
export class RfmReportModel {
  @ApiProperty({
    type: [RfmCellModel],
    description: 'All 25 R×F cells, R descending then F descending.',
  })
  @Field(() => [RfmCellModel])
  grid: RfmCellModel[];

  @ApiProperty({ type: [RfmSegmentCountModel] })
  @Field(() => [RfmSegmentCountModel])
  segments: RfmSegmentCountModel[];

  @ApiPropertyOptional({ example: '2026-11-23T03:00:00.000Z', nullable: true })
  @Field(() => String, { nullable: true })
  computedAt: string | null;

  @ApiProperty({ example: 'CNY' })
  @Field()
  currency: string;
}

@ObjectType('ProfileQualityRow')
export class ProfileQualityRowModel {
  @ApiPropertyOptional({
    description: 'Store id or staff id; null for profiles without one.',
    example: 'store-001',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  group: string | null;

  @ApiProperty({ example: 420 })
  @Field(() => Int)
  registered: number;

  @ApiProperty({ description: 'Mean completeness 0–100.', example: 72.5 })
  @Field(() => Float)
  averageCompleteness: number;

  @ApiProperty({ description: 'Share with a (normalised, valid) phone.', example: 0.93 })
  @Field(() => Float)
  validPhoneShare: number;

  @ApiProperty({
    description:
      'Share that look like another active profile (same name and birthday, or name and phone tail).',
    example: 0.02,
  })
  @Field(() => Float)
  duplicateRate: number;
}

@ObjectType('ProfileQualityReport')
export class ProfileQualityReportModel {
  @ApiProperty({ enum: ['store', 'staff'] })
  @Field()
  groupBy: string;

  @ApiProperty({
    type: [ProfileQualityRowModel],
    description: 'Best average completeness first (档案评比).',
  })
  @Field(() => [ProfileQualityRowModel])
  rows: ProfileQualityRowModel[];
}
