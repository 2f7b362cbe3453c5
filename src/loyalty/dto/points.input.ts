import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  NotEquals,
} from 'class-validator';

@InputType('RedemptionInput')
export class RedemptionInput {
  @ApiProperty({ description: 'Points to spend (at least 1).', example: 500 })
  @Field(() => Int)
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  points: number;

  @ApiProperty({ example: 'voucher 50 CNY' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason: string;

  @ApiProperty({
    description:
      "The caller's id for this redemption; a retry with the same id is answered with the first result.",
    example: 'POS-0042-20261123-0007',
  })
  @Field()
  @Matches(/^[\x21-\x7e]{1,128}$/, { message: 'externalId is 1–128 visible ASCII characters' })
  externalId: string;
}

@InputType('AdjustmentInput')
export class AdjustmentInput {
  @ApiProperty({ description: 'Points to add (+) or remove (−); never 0.', example: -120 })
  @Field(() => Int)
  @IsInt()
  @NotEquals(0)
  @Min(-1_000_000_000)
  @Max(1_000_000_000)
  points: number;

  @ApiProperty({
    description: 'Why (kept in the ledger).',
    example: 'goodwill after complaint #381',
  })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason: string;

  @ApiPropertyOptional({
    description: 'Makes the adjustment idempotent.',
    example: 'ADJ-2026-0017',
  })
  @Field({ nullable: true })
  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,128}$/, { message: 'externalId is 1–128 visible ASCII characters' })
  externalId?: string;
}

@ObjectType('PointsEntry')
export class PointsEntryModel {
  @ApiProperty({ format: 'uuid' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ format: 'uuid' })
  @Field()
  customerId: string;

  @ApiProperty({ enum: ['earn', 'redeem', 'adjust', 'expire', 'reverse'], example: 'redeem' })
  @Field()
  kind: string;

  @ApiProperty({ description: 'Signed change.', example: -500 })
  @Field(() => Int)
  points: number;

  @ApiProperty({ example: 'voucher 50 CNY' })
  @Field()
  reason: string;

  @ApiProperty({ example: 'kc_3f9a1c0e5b7d2a4c6e8f0a1b' })
  @Field()
  source: string;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'POS-0042-20261123-0007' })
  @Field(() => String, { nullable: true })
  externalId: string | null;

  @ApiProperty({
    description: 'Who made the change (client id, staff id or system).',
    example: 'client:kc_3f9a',
  })
  @Field()
  actor: string;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' })
  @Field(() => String, { nullable: true })
  transactionId: string | null;

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z' })
  @Field()
  createdAt: string;
}

@ObjectType('PointsChange')
export class PointsChangeModel {
  @ApiProperty({ type: PointsEntryModel })
  @Field(() => PointsEntryModel)
  entry: PointsEntryModel;

  @ApiProperty({ description: 'Balance after the change.', example: 1200 })
  @Field(() => Int)
  pointsBalance: number;
}

@ObjectType('PointsLedgerPage')
export class PointsLedgerPageModel {
  @ApiProperty({ type: [PointsEntryModel] })
  @Field(() => [PointsEntryModel])
  items: PointsEntryModel[];

  @ApiProperty({ nullable: true, type: String })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}
