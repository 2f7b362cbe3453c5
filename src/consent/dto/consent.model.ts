import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONSENT_CHANNELS, CONSENT_PURPOSES, CONSENT_STATUSES } from '../consent.rules';

@ObjectType('ConsentEvidence')
export class ConsentEvidenceModel {
  @ApiProperty({ example: 'checkbox_in_app' })
  @Field()
  method: string;

  @ApiProperty({ example: 'privacy-2026-10' })
  @Field()
  noticeVersion: string;

  @ApiPropertyOptional({ example: 'store-12/pos-3', nullable: true })
  @Field(() => String, { nullable: true })
  capturedBy: string | null;

  @ApiPropertyOptional({ example: '203.0.113.7', nullable: true })
  @Field(() => String, { nullable: true })
  ip: string | null;
}

@ObjectType('Guardian')
export class GuardianModel {
  @ApiProperty({ example: '王芳' })
  @Field()
  name: string;

  @ApiProperty({ example: 'mother' })
  @Field()
  relation: string;
}

@ObjectType('ConsentEvent')
export class ConsentEventModel {
  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a21' })
  @Field()
  customerId: string;

  @ApiProperty({ enum: CONSENT_PURPOSES, example: 'marketing' })
  @Field()
  purpose: string;

  @ApiProperty({ enum: CONSENT_CHANNELS, nullable: true, example: 'sms' })
  @Field(() => String, { nullable: true })
  channel: string | null;

  @ApiProperty({ enum: CONSENT_STATUSES, example: 'granted' })
  @Field()
  status: string;

  @ApiProperty({ example: 'eshop-signup' })
  @Field()
  source: string;

  @ApiProperty({ type: ConsentEvidenceModel })
  @Field(() => ConsentEvidenceModel)
  evidence: ConsentEvidenceModel;

  @ApiPropertyOptional({ type: GuardianModel, nullable: true })
  @Field(() => GuardianModel, { nullable: true })
  guardian: GuardianModel | null;

  @ApiProperty({
    description: 'Client id or staff id that recorded it.',
    example: 'staff:0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a22',
  })
  @Field()
  recordedBy: string;

  @ApiProperty({ example: '2026-11-23T00:30:00.000Z' })
  @Field()
  occurredAt: string;

  @ApiProperty({ example: '2026-11-23T00:30:01.000Z' })
  @Field()
  recordedAt: string;
}

@ObjectType('ConsentState')
export class ConsentStateModel {
  @ApiProperty({ enum: CONSENT_PURPOSES, example: 'marketing' })
  @Field()
  purpose: string;

  @ApiProperty({ enum: CONSENT_CHANNELS, nullable: true, example: 'sms' })
  @Field(() => String, { nullable: true })
  channel: string | null;

  @ApiProperty({ enum: CONSENT_STATUSES, example: 'granted' })
  @Field()
  status: string;

  @ApiProperty({
    description:
      'Whether the consent counts now: granted, not restricted, and (for a child under 14) given with a guardian.',
    example: true,
  })
  @Field()
  effective: boolean;

  @ApiProperty({ description: "Given with a guardian's consent.", example: false })
  @Field()
  guardian: boolean;

  @ApiProperty({ example: 'eshop-signup' })
  @Field()
  source: string;

  @ApiProperty({ example: '2026-11-23T00:30:00.000Z' })
  @Field()
  since: string;
}

@ObjectType('CustomerConsents')
export class CustomerConsentsModel {
  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a21' })
  @Field()
  customerId: string;

  @ApiProperty({
    description: 'Under 14 by birthday (PIPL): marketing and profiling need a guardian.',
    example: false,
  })
  @Field()
  minor: boolean;

  @ApiProperty({
    description: 'A restriction request is active: no marketing or profiling.',
    example: false,
  })
  @Field()
  restricted: boolean;

  @ApiProperty({ type: [ConsentStateModel], description: 'Current state per purpose × channel.' })
  @Field(() => [ConsentStateModel])
  current: ConsentStateModel[];

  @ApiProperty({
    type: [ConsentEventModel],
    description: 'History, newest first (at most 500 events).',
  })
  @Field(() => [ConsentEventModel])
  history: ConsentEventModel[];
}
