import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../../../common/pagination';

export class AuditQuery extends PageQuery {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Entries touching this customer.',
    example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a21',
  })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({ description: 'Client id or staff user id.', example: 'kc_3f9a0c2b' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({
    description: 'Action, e.g. customer.read, privacy.write, auth.login, auth.denied.',
    example: 'customer.read',
  })
  @IsOptional()
  @Matches(/^[a-z_]+\.[a-z_]+$/)
  action?: string;

  @ApiPropertyOptional({
    description: 'From this instant (inclusive).',
    example: '2026-11-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    description: 'Until this instant (exclusive).',
    example: '2026-12-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

@ObjectType('AuditEntry')
export class AuditEntryModel {
  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a30' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ description: "Position in the tenant's hash chain.", example: 42 })
  @Field(() => Int)
  seq: number;

  @ApiProperty({ example: '2026-11-23T00:30:00.000Z' })
  @Field()
  occurredAt: string;

  @ApiProperty({ enum: ['client', 'staff', 'system'], example: 'staff' })
  @Field()
  actorKind: string;

  @ApiProperty({ example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a22' })
  @Field()
  actor: string;

  @ApiProperty({ example: 'customer.read' })
  @Field()
  action: string;

  @ApiProperty({ example: 'GET /v1/customers/:id' })
  @Field()
  resource: string;

  @ApiProperty({ type: [String], example: ['0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a21'] })
  @Field(() => [String])
  customerIds: string[];

  @ApiProperty({
    type: [String],
    description: 'Personal-data fields read or written.',
    example: ['name', 'phone'],
  })
  @Field(() => [String])
  fields: string[];

  @ApiProperty({ enum: ['success', 'failure', 'denied'], example: 'success' })
  @Field()
  outcome: string;

  @ApiPropertyOptional({ nullable: true, example: 'req-7f3a' })
  @Field(() => String, { nullable: true })
  requestId: string | null;

  @ApiPropertyOptional({ nullable: true, example: '203.0.113.7' })
  @Field(() => String, { nullable: true })
  ip: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    example: { code: 'forbidden' },
  })
  details: Record<string, unknown> | null;

  @ApiProperty({ description: 'SHA-256 of the predecessor entry.', example: 'a3f1…' })
  @Field()
  prevHash: string;

  @ApiProperty({ description: 'SHA-256 over this entry and prevHash.', example: '9c0e…' })
  @Field()
  hash: string;
}

export class AuditPageModel {
  @ApiProperty({ type: [AuditEntryModel] })
  items: AuditEntryModel[];

  @ApiProperty({ nullable: true, type: String, example: null })
  nextCursor: string | null;
}

export class AuditVerifyModel {
  @ApiProperty({ description: 'The whole chain recomputed and intact.', example: true })
  ok: boolean;

  @ApiProperty({ description: 'Entries checked.', example: 1532 })
  entries: number;

  @ApiProperty({
    description: 'Hash of the newest entry (anchor it elsewhere to detect truncation).',
    example: '9c0e…',
  })
  lastHash: string;
}
