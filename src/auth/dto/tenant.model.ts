import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

@ObjectType('Tenant')
export class TenantModel {
  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ example: 'demo' })
  @Field()
  slug: string;

  @ApiProperty({ example: 'Demo retailer' })
  @Field()
  name: string;

  @ApiProperty({
    description: 'ISO 4217 currency of the loyalty program by default.',
    example: 'CNY',
  })
  @Field()
  currency: string;

  @ApiProperty({ description: 'Default phone region (ISO 3166-1 alpha-2).', example: 'CN' })
  @Field()
  region: string;

  @ApiProperty({ description: 'IANA time zone for calendar logic.', example: 'Asia/Shanghai' })
  @Field()
  timeZone: string;

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z' })
  @Field()
  createdAt: string;
}

@ObjectType('Me')
export class MeModel {
  @ApiProperty({ enum: ['client', 'staff'] })
  @Field()
  kind: string;

  @ApiProperty({
    description: 'client_id or staff user id.',
    example: 'kc_3f9a1c0e5b7d2a4c6e8f0a1b',
  })
  @Field()
  subject: string;

  @ApiProperty({ example: 'demo' })
  @Field()
  tenant: string;

  @ApiProperty({ type: [String], example: ['customers:read'] })
  @Field(() => [String])
  scopes: string[];

  @ApiPropertyOptional({ enum: ['admin', 'manager', 'staff', 'auditor'], nullable: true })
  @Field(() => String, { nullable: true })
  role: string | null;

  @ApiPropertyOptional({ nullable: true, example: 'store-001' })
  @Field(() => String, { nullable: true })
  storeId: string | null;
}
