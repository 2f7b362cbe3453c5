import { Field, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsIP,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { CONSENT_CHANNELS, CONSENT_PURPOSES, CONSENT_STATUSES } from '../consent.rules';
import type { ConsentChannel, ConsentPurpose, ConsentStatus } from '../consent.rules';

@InputType('ConsentEvidenceInput')
export class ConsentEvidenceInput {
  @ApiProperty({ description: 'How consent was captured.', example: 'checkbox_in_app' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(60)
  method: string;

  @ApiProperty({
    description: 'Version of the privacy notice the customer saw.',
    example: 'privacy-2026-10',
  })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(60)
  noticeVersion: string;

  @ApiPropertyOptional({
    description: 'Staff member or system that captured it.',
    example: 'store-12/pos-3',
  })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  capturedBy?: string;

  @ApiPropertyOptional({ description: 'IP address the consent came from.', example: '203.0.113.7' })
  @Field({ nullable: true })
  @IsOptional()
  @IsIP()
  ip?: string;
}

@InputType('GuardianInput')
export class GuardianInput {
  @ApiProperty({ description: 'Guardian full name.', example: '王芳' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @ApiProperty({ description: 'Relation to the child.', example: 'mother' })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  relation: string;
}

@InputType('RecordConsentInput')
export class RecordConsentInput {
  @ApiProperty({ enum: CONSENT_PURPOSES, example: 'marketing' })
  @Field(() => String)
  @IsIn(CONSENT_PURPOSES)
  purpose: ConsentPurpose;

  @ApiPropertyOptional({
    enum: CONSENT_CHANNELS,
    description: 'Required for marketing; not allowed for other purposes.',
    example: 'sms',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(CONSENT_CHANNELS)
  channel?: ConsentChannel;

  @ApiProperty({ enum: CONSENT_STATUSES, example: 'granted' })
  @Field(() => String)
  @IsIn(CONSENT_STATUSES)
  status: ConsentStatus;

  @ApiProperty({
    description: 'Where the consent came from (system or touchpoint).',
    example: 'eshop-signup',
  })
  @Field()
  @IsString()
  @IsNotEmpty()
  @MaxLength(60)
  source: string;

  @ApiProperty({ type: ConsentEvidenceInput })
  @Field(() => ConsentEvidenceInput)
  @ValidateNested()
  @Type(() => ConsentEvidenceInput)
  evidence: ConsentEvidenceInput;

  @ApiPropertyOptional({
    type: GuardianInput,
    description: 'Required to grant marketing or profiling for a customer under 14.',
  })
  @Field(() => GuardianInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => GuardianInput)
  guardian?: GuardianInput;

  @ApiPropertyOptional({
    description:
      'When the customer gave or withdrew consent; defaults to now, never in the future.',
    example: '2026-11-23T08:30:00+08:00',
  })
  @Field({ nullable: true })
  @IsOptional()
  @IsISO8601({ strict: true })
  occurredAt?: string;
}
