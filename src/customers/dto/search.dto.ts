import { ArgsType, Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { InputType } from '@nestjs/graphql';

@ArgsType()
export class CustomerSearchQuery {
  @ApiPropertyOptional({
    description:
      'Name substring, pinyin (`zhangsan`) or initials (`zs`), phone last 4 digits, full phone, e-mail or member no.',
    example: 'zs',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ example: 'vip' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  tag?: string;

  @ApiPropertyOptional({ description: 'Tier code.', example: 'gold' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  tier?: string;

  @ApiPropertyOptional({ example: 'store-001' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  storeId?: string;

  @ApiPropertyOptional({ example: 'staff-42' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  registeredBy?: string;

  @ApiPropertyOptional({
    description: 'Created at or after.',
    example: '2026-01-01T00:00:00+08:00',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  createdFrom?: string;

  @ApiPropertyOptional({ description: 'Created before.', example: '2027-01-01T00:00:00+08:00' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  createdTo?: string;

  @ApiPropertyOptional({ enum: ['active', 'archived'], default: 'active' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(['active', 'archived'])
  status?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: "Opaque cursor from the previous page's `nextCursor`." })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

@ArgsType()
export class DuplicatesQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

@ObjectType('DuplicatePair')
export class DuplicatePairModel {
  @ApiProperty({ format: 'uuid', description: 'The older record (suggested survivor).' })
  @Field()
  customerId: string;

  @ApiProperty({ format: 'uuid' })
  @Field()
  duplicateId: string;

  @ApiProperty({
    type: [String],
    example: ['same_phone', 'same_name_birthday'],
    description: 'same_phone, same_email, same_name_birthday, same_pinyin_phone_tail',
  })
  @Field(() => [String])
  reasons: string[];

  @ApiProperty({ example: 0.97, description: '0–1; reasons combine as independent evidence.' })
  @Field(() => Float)
  score: number;
}

@ObjectType('DuplicatePage')
export class DuplicatePageModel {
  @ApiProperty({ type: [DuplicatePairModel] })
  @Field(() => [DuplicatePairModel])
  items: DuplicatePairModel[];

  @ApiPropertyOptional({
    nullable: true,
    description: 'Always null: the list is the top pairs by score.',
  })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}

@InputType('MergeCustomersInput')
export class MergeCustomersInput {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    example: ['0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a21'],
    description: 'Records merged into the target, which survives.',
  })
  @Field(() => [String])
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  sourceIds: string[];

  @ApiPropertyOptional({
    description: 'Why; recorded with the merge and listed by GET /v1/customers/{id}/merges.',
    example: 'Same person: WeChat and till records',
    maxLength: 500,
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}
