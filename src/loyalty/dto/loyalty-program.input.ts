import { Field, Float, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDateString,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { TierBenefitsScalar } from './tier-benefits.scalar';

const MULTIPLIER = { maxDecimalPlaces: 4, allowNaN: false, allowInfinity: false };

// One class per shape serves as GraphQL input, GraphQL output, REST body and REST answer:
// the program is written and read back in the same form.

@ObjectType('LoyaltyTier')
@InputType('LoyaltyTierInput')
export class LoyaltyTierInput {
  @ApiProperty({ description: 'Stable tier code.', example: 'gold' })
  @Field()
  @Matches(/^[a-z0-9][a-z0-9_-]{0,31}$/, {
    message: 'code is 1–32 lower-case letters, digits, _ or -',
  })
  code: string;

  @ApiProperty({ example: 'Gold' })
  @Field()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({
    description: 'Order of tiers; the lowest rank is the base tier every member starts in.',
    example: 2,
  })
  @Field(() => Int)
  @IsInt()
  @Min(0)
  @Max(100)
  rank: number;

  @ApiPropertyOptional({
    description: 'Net spend over the last 12 months that qualifies (decimal string).',
    example: '5000.00',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(/^\d{1,13}(\.\d{1,3})?$/, {
    message: 'qualifySpend12m is a decimal string such as "5000.00"',
  })
  qualifySpend12m?: string | null;

  @ApiPropertyOptional({
    description: 'Points earned over the last 12 months that qualify.',
    example: 5000,
    nullable: true,
  })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  qualifyPoints?: number | null;

  @ApiProperty({
    description: 'Multiplies the points every sale earns in this tier.',
    example: 1.5,
  })
  @Field(() => Float)
  @IsNumber(MULTIPLIER)
  @Min(0)
  @Max(100)
  pointsMultiplier: number;

  @ApiPropertyOptional({
    description: 'Free-form benefits.',
    example: { discountPercent: 5, freeShipping: true },
  })
  @Field(() => TierBenefitsScalar, { nullable: true })
  @IsOptional()
  @IsObject()
  benefits?: Record<string, unknown>;
}

@ObjectType('CategoryMultiplier')
@InputType('CategoryMultiplierInput')
export class CategoryMultiplierInput {
  @ApiProperty({ example: 'shoes' })
  @Field()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  category: string;

  @ApiProperty({ example: 2 })
  @Field(() => Float)
  @IsNumber(MULTIPLIER)
  @Min(0)
  @Max(100)
  multiplier: number;
}

@ObjectType('SkuMultiplier')
@InputType('SkuMultiplierInput')
export class SkuMultiplierInput {
  @ApiProperty({ example: 'SKU-10293' })
  @Field()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  sku: string;

  @ApiProperty({ example: 3 })
  @Field(() => Float)
  @IsNumber(MULTIPLIER)
  @Min(0)
  @Max(100)
  multiplier: number;
}

@ObjectType('Promotion')
@InputType('PromotionInput')
export class PromotionInput {
  @ApiProperty({ example: 'Double 11' })
  @Field()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ description: 'Start (inclusive).', example: '2026-11-11T00:00:00+08:00' })
  @Field()
  @IsDateString({ strict: true })
  from: string;

  @ApiProperty({ description: 'End (exclusive).', example: '2026-11-12T00:00:00+08:00' })
  @Field()
  @IsDateString({ strict: true })
  to: string;

  @ApiProperty({ example: 2 })
  @Field(() => Float)
  @IsNumber(MULTIPLIER)
  @Min(0)
  @Max(100)
  multiplier: number;

  @ApiPropertyOptional({
    description: 'Only lines of these categories; empty or absent = every line.',
    example: ['shoes'],
  })
  @Field(() => [String], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  categories?: string[];
}

@ObjectType('EarnRules')
@InputType('EarnRulesInput')
export class EarnRulesInput {
  @ApiPropertyOptional({ type: [CategoryMultiplierInput] })
  @Field(() => [CategoryMultiplierInput], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => CategoryMultiplierInput)
  categoryMultipliers?: CategoryMultiplierInput[];

  @ApiPropertyOptional({ type: [SkuMultiplierInput] })
  @Field(() => [SkuMultiplierInput], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5000)
  @ValidateNested({ each: true })
  @Type(() => SkuMultiplierInput)
  skuMultipliers?: SkuMultiplierInput[];

  @ApiPropertyOptional({
    description: "Multiplier in the customer's birth month.",
    example: 2,
    nullable: true,
  })
  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsNumber(MULTIPLIER)
  @Min(0)
  @Max(100)
  birthdayMonthMultiplier?: number | null;

  @ApiPropertyOptional({ type: [PromotionInput] })
  @Field(() => [PromotionInput], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => PromotionInput)
  promotions?: PromotionInput[];
}

@InputType('LoyaltyProgramInput')
export class LoyaltyProgramInput {
  @ApiProperty({ description: 'ISO 4217 currency the points are earned in.', example: 'CNY' })
  @Field()
  @Matches(/^[A-Z]{3}$/, { message: 'currency is an ISO 4217 code such as CNY' })
  currency: string;

  @ApiProperty({
    description: 'Points per whole currency unit (decimal string, up to 4 decimals).',
    example: '1',
  })
  @Field()
  @Matches(/^\d{1,6}(\.\d{1,4})?$/, {
    message: 'pointsPerUnit is a decimal string such as "1" or "0.5"',
  })
  pointsPerUnit: string;

  @ApiProperty({ enum: ['floor', 'round', 'ceil'], example: 'floor' })
  @Field()
  @IsIn(['floor', 'round', 'ceil'])
  rounding: 'floor' | 'round' | 'ceil';

  @ApiPropertyOptional({
    description: 'Months until earned points expire (FIFO lots); null = never.',
    example: 24,
    nullable: true,
  })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(120)
  expiryMonths?: number | null;

  @ApiProperty({ type: [LoyaltyTierInput] })
  @Field(() => [LoyaltyTierInput])
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => LoyaltyTierInput)
  tiers: LoyaltyTierInput[];

  @ApiPropertyOptional({ type: EarnRulesInput })
  @Field(() => EarnRulesInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => EarnRulesInput)
  earnRules?: EarnRulesInput;
}

@ObjectType('LoyaltyProgram')
export class LoyaltyProgramModel {
  @ApiProperty({ example: 'CNY' })
  @Field()
  currency: string;

  @ApiProperty({ example: '1' })
  @Field()
  pointsPerUnit: string;

  @ApiProperty({ enum: ['floor', 'round', 'ceil'], example: 'floor' })
  @Field()
  rounding: string;

  @ApiProperty({ example: 24, nullable: true, type: Number })
  @Field(() => Int, { nullable: true })
  expiryMonths: number | null;

  @ApiProperty({ type: [LoyaltyTierInput] })
  @Field(() => [LoyaltyTierInput])
  tiers: LoyaltyTierInput[];

  @ApiProperty({ type: EarnRulesInput })
  @Field(() => EarnRulesInput)
  earnRules: EarnRulesInput;

  @ApiProperty({
    description: 'Increments on every change; 0 = the default program, never saved.',
    example: 3,
  })
  @Field(() => Int)
  version: number;

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z', nullable: true, type: String })
  @Field(() => String, { nullable: true })
  updatedAt: string | null;
}
