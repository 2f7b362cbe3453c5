import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CsatModel, NpsModel } from './survey.model';

@ObjectType('SatisfactionCount')
export class KeyCountModel {
  @ApiProperty({ example: 'product_quality' })
  @Field()
  key: string;

  @ApiProperty({ example: 4 })
  @Field(() => Int)
  count: number;
}

@ObjectType('ComplaintCounts')
export class ComplaintCountsModel {
  @ApiProperty({ example: 12 })
  @Field(() => Int)
  total: number;

  @ApiProperty({
    type: [KeyCountModel],
    description: 'By resolution category; `(uncategorised)` until resolved.',
  })
  @Field(() => [KeyCountModel])
  byCategory: KeyCountModel[];

  @ApiProperty({ type: [KeyCountModel] })
  @Field(() => [KeyCountModel])
  byStore: KeyCountModel[];
}

@ObjectType('DurationStats')
export class DurationStatsModel {
  @ApiProperty({
    description: 'Complaints measured (those that reached the milestone).',
    example: 9,
  })
  @Field(() => Int)
  count: number;

  @ApiPropertyOptional({ nullable: true, example: 42.5 })
  @Field(() => Float, { nullable: true })
  medianMinutes: number | null;

  @ApiPropertyOptional({ nullable: true, example: 180 })
  @Field(() => Float, { nullable: true })
  p90Minutes: number | null;
}

@ObjectType('SlaStats')
export class SlaStatsModel {
  @ApiProperty({
    description: 'Complaints whose SLA outcome is known: resolved, or still open past dueAt.',
    example: 10,
  })
  @Field(() => Int)
  measured: number;

  @ApiProperty({ description: 'Resolved after dueAt, or open past dueAt.', example: 2 })
  @Field(() => Int)
  breached: number;

  @ApiPropertyOptional({
    nullable: true,
    description: 'breached / measured, percent.',
    example: 20,
  })
  @Field(() => Float, { nullable: true })
  breachRatePercent: number | null;
}

@ObjectType('SatisfactionReport')
export class SatisfactionReportModel {
  @ApiProperty({ example: '2026-10-24T08:00:00.000Z' })
  @Field()
  from: string;

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z' })
  @Field()
  to: string;

  @ApiPropertyOptional({ nullable: true, example: null })
  @Field(() => String, { nullable: true })
  storeId: string | null;

  @ApiProperty({ type: NpsModel, description: 'Over every survey response in the period.' })
  @Field(() => NpsModel)
  nps: NpsModel;

  @ApiProperty({ type: CsatModel })
  @Field(() => CsatModel)
  csat: CsatModel;

  @ApiProperty({
    type: CsatModel,
    description:
      'CSAT customers gave on the satisfaction call-backs (回访) of resolved complaints.',
  })
  @Field(() => CsatModel)
  callBackCsat: CsatModel;

  @ApiProperty({ type: ComplaintCountsModel, description: 'Complaints received in the period.' })
  @Field(() => ComplaintCountsModel)
  complaints: ComplaintCountsModel;

  @ApiProperty({ type: DurationStatsModel, description: 'Received → first transition.' })
  @Field(() => DurationStatsModel)
  timeToFirstResponse: DurationStatsModel;

  @ApiProperty({ type: DurationStatsModel, description: 'Received → resolved.' })
  @Field(() => DurationStatsModel)
  timeToResolution: DurationStatsModel;

  @ApiProperty({ type: SlaStatsModel })
  @Field(() => SlaStatsModel)
  sla: SlaStatsModel;
}
