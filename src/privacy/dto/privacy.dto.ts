import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';

export const PRIVACY_REQUEST_TYPES = [
  'access',
  'export',
  'correction',
  'erasure',
  'restriction',
] as const;
export type PrivacyRequestType = (typeof PRIVACY_REQUEST_TYPES)[number];

export class CreatePrivacyRequestInput {
  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a21' })
  @IsUUID()
  customerId: string;

  @ApiProperty({
    enum: PRIVACY_REQUEST_TYPES,
    description:
      'access/export: machine-readable bundle of everything about the customer; correction: apply `patch`; ' +
      'erasure: irreversible anonymisation (admin role or privacy:admin); restriction: stop marketing and profiling (`lift: true` ends it).',
    example: 'export',
  })
  @IsIn(PRIVACY_REQUEST_TYPES)
  type: PrivacyRequestType;

  @ApiPropertyOptional({
    description: 'How the request reached you, reference numbers.',
    example: 'Email from customer, ticket 4411',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'correction only (required there): a JSON merge patch of profile fields, validated and applied as PATCH /v1/customers/{id} ' +
      '(fields present are set, null clears, `address` and `attributes` merge key by key). Invalid → 422 with one error per field under `patch.…`, nothing written.',
    example: { name: '张三丰', email: 'zhang.sanfeng@example.com', address: { city: '深圳' } },
  })
  @IsOptional()
  @IsObject()
  patch?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: 'restriction only: true lifts an active restriction.',
    example: false,
  })
  @IsOptional()
  @IsBoolean()
  lift?: boolean;
}

export class PrivacyRequestModel {
  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a40' })
  id: string;

  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a21' })
  customerId: string;

  @ApiProperty({ enum: PRIVACY_REQUEST_TYPES, example: 'export' })
  type: string;

  @ApiProperty({ enum: ['received', 'completed', 'rejected'], example: 'completed' })
  status: string;

  @ApiProperty({
    description: 'Who filed it (client or staff).',
    example: 'staff:0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a22',
  })
  requestedBy: string;

  @ApiProperty({
    description: 'Answer due by (tenant setting privacy.requestDeadlineDays, default 15 days).',
    example: '2026-12-08T00:30:00.000Z',
  })
  deadlineAt: string;

  @ApiProperty({ example: '2026-11-23T00:30:00.000Z' })
  createdAt: string;

  @ApiPropertyOptional({ nullable: true, example: '2026-11-23T00:30:01.000Z' })
  completedAt: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: 'object',
    additionalProperties: true,
    description:
      'What was done: sections and row counts of an export, columns and tables an erasure touched, the fields a correction wrote (`{ fields, customerId }`).',
    example: { sections: { profile: 1, identities: 2, transactions: 14 } },
  })
  summary: Record<string, unknown> | null;

  @ApiPropertyOptional({
    nullable: true,
    description: 'Download path of the export bundle (access/export).',
    example: '/v1/privacy/requests/0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a40/result',
  })
  resultUrl: string | null;
}
