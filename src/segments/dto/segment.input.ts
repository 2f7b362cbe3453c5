import { Field, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsDefined,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { RuleQueryScalar } from './rule-query.scalar';

const QUERY_DOC = {
  description:
    'The rule, as text in the segment language or as its JSON tree (see docs/SEGMENTS.md). ' +
    'Errors answer 422 with the position (`line 1, col 23: unknown field stats.foo`).',
  oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }],
  example: 'stats.totalSpent >= 1000 and tier in ("gold") and consent.sms and tags contains "vip"',
};

@InputType('CreateSegmentInput')
export class CreateSegmentInput {
  @ApiProperty({ example: '高价值短信会员', maxLength: 100 })
  @Field()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiPropertyOptional({ example: 'Members with over ¥1000 spent who accept SMS', maxLength: 1000 })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiProperty(QUERY_DOC)
  @Field(() => RuleQueryScalar)
  @IsDefined()
  query: unknown;
}

@InputType('UpdateSegmentInput')
export class UpdateSegmentInput {
  @ApiPropertyOptional({ example: '高价值短信会员', maxLength: 100 })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ example: 'Members with over ¥1000 spent who accept SMS', maxLength: 1000 })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional(QUERY_DOC)
  @Field(() => RuleQueryScalar, { nullable: true })
  @IsOptional()
  query?: unknown;
}

@InputType('PreviewSegmentInput')
export class PreviewSegmentInput {
  @ApiProperty(QUERY_DOC)
  @Field(() => RuleQueryScalar)
  @IsDefined()
  query: unknown;
}

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export const EXPORT_FIELDS = [
  'id',
  'memberNo',
  'name',
  'gender',
  'birthMonth',
  'birthYear',
  'province',
  'city',
  'storeId',
  'tier',
  'pointsBalance',
  'tags',
  'phone',
  'email',
  'rfmSegment',
] as const;
export type ExportField = (typeof EXPORT_FIELDS)[number];

export class ExportQuery {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'ndjson' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  format?: (typeof EXPORT_FORMATS)[number];

  @ApiPropertyOptional({
    description:
      'Only customers with granted marketing consent on this channel (and not restricted). Unknown channels answer 422.',
    example: 'sms',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  channel?: string;

  @ApiPropertyOptional({
    description: `Comma-separated columns, in order. Allowed: ${EXPORT_FIELDS.join(', ')}. Default: id, memberNo, name, city, tier. phone/email need pii:read.`,
    example: 'memberNo,name,phone',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(/^[A-Za-z,]+$/, { message: 'fields is a comma-separated list of field names' })
  fields?: string;

  @ApiPropertyOptional({
    description:
      'CSV only: start with a UTF-8 byte-order mark so Excel reads Chinese text correctly.',
    example: 'true',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  bom?: 'true' | 'false';
}
