import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

@InputType('SegmentSettingsInput')
export class SegmentSettingsInput {
  @ApiProperty({
    description: 'Gold (金牌): top share of purchasers by 12-month spend, in percent.',
    example: 20,
    minimum: 1,
    maximum: 100,
  })
  @Field(() => Int)
  @IsInt()
  @Min(1)
  @Max(100)
  goldTopPercent: number;

  @ApiProperty({
    description: 'Gold (金牌): at least this many purchases.',
    example: 2,
    minimum: 0,
  })
  @Field(() => Int)
  @IsInt()
  @Min(0)
  @Max(100000)
  goldMinPurchases: number;

  @ApiProperty({ description: 'Lapsed: no purchase in this many days.', example: 180, minimum: 1 })
  @Field(() => Int)
  @IsInt()
  @Min(1)
  @Max(3650)
  lapsedDays: number;

  @ApiPropertyOptional({
    description:
      'High frequency from this many purchases; omit both frequency thresholds for tertiles.',
    example: 6,
    nullable: true,
  })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  frequencyHighMin?: number | null;

  @ApiPropertyOptional({
    description: 'Mid frequency from this many purchases.',
    example: 2,
    nullable: true,
  })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  frequencyMidMin?: number | null;

  @ApiPropertyOptional({
    description:
      'High spend from this amount (tenant currency); omit both spend thresholds for tertiles.',
    example: '5000.00',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,15}(\.\d+)?$/, {
    message: 'spendHighMin must be a decimal string such as "5000.00"',
  })
  spendHighMin?: string | null;

  @ApiPropertyOptional({
    description: 'Mid spend from this amount (tenant currency).',
    example: '1000.00',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/^\d{1,15}(\.\d+)?$/, {
    message: 'spendMidMin must be a decimal string such as "1000.00"',
  })
  spendMidMin?: string | null;
}

@ObjectType('SegmentSettings')
export class SegmentSettingsModel {
  @ApiProperty({ example: 20 })
  @Field(() => Int)
  goldTopPercent: number;

  @ApiProperty({ example: 2 })
  @Field(() => Int)
  goldMinPurchases: number;

  @ApiProperty({ example: 180 })
  @Field(() => Int)
  lapsedDays: number;

  @ApiPropertyOptional({ example: null, nullable: true })
  @Field(() => Int, { nullable: true })
  frequencyHighMin: number | null;

  @ApiPropertyOptional({ example: null, nullable: true })
  @Field(() => Int, { nullable: true })
  frequencyMidMin: number | null;

  @ApiPropertyOptional({ example: null, nullable: true })
  @Field(() => String, { nullable: true })
  spendHighMin: string | null;

  @ApiPropertyOptional({ example: null, nullable: true })
  @Field(() => String, { nullable: true })
  spendMidMin: string | null;
}

@ObjectType('RfmRecompute')
export class RfmRecomputeModel {
  @ApiProperty({ description: 'Purchasers scored.', example: 80412 })
  @Field(() => Int)
  scored: number;

  @ApiProperty({ example: '2026-11-23T03:00:00.000Z' })
  @Field()
  computedAt: string;
}
