import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CustomerJson } from './json-object.scalar';

@ObjectType('Address')
export class AddressModel {
  @ApiPropertyOptional({ example: '上海市', nullable: true })
  @Field(() => String, { nullable: true })
  province: string | null;

  @ApiPropertyOptional({ example: '上海市', nullable: true })
  @Field(() => String, { nullable: true })
  city: string | null;

  @ApiPropertyOptional({ example: '静安区', nullable: true })
  @Field(() => String, { nullable: true })
  district: string | null;

  @ApiPropertyOptional({
    description: 'Masked (`***`) without `pii:read`.',
    example: '南京西路 1266 号',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  line: string | null;

  @ApiPropertyOptional({ example: '200040', nullable: true })
  @Field(() => String, { nullable: true })
  postcode: string | null;
}

@ObjectType('CustomerTier')
export class TierModel {
  @ApiProperty({ example: 'gold' })
  @Field()
  code: string;

  @ApiPropertyOptional({ example: '2026-01-05T02:00:00.000Z', nullable: true })
  @Field(() => String, { nullable: true })
  since: string | null;
}

@ObjectType('CustomerIdentity')
export class IdentityModel {
  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20' })
  @Field(() => ID)
  id: string;

  @ApiProperty({
    enum: [
      'phone',
      'email',
      'member_no',
      'wechat_openid',
      'wechat_unionid',
      'wework_external_userid',
      'external',
    ],
    example: 'phone',
  })
  @Field()
  type: string;

  @ApiProperty({
    description: 'App id or source system; empty for phone, email and member_no.',
    example: '',
  })
  @Field()
  namespace: string;

  @ApiProperty({
    description: 'Normalised value; phone and email masked without `pii:read`.',
    example: '138****8000',
  })
  @Field()
  value: string;

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z' })
  @Field()
  createdAt: string;
}

@ObjectType('Customer')
export class CustomerModel {
  @ApiProperty({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20' })
  @Field(() => ID)
  id: string;

  @ApiProperty({ example: 'M1234567897' })
  @Field()
  memberNo: string;

  @ApiProperty({ enum: ['active', 'archived', 'merged', 'erased'], example: 'active' })
  @Field()
  status: string;

  @ApiPropertyOptional({ example: '张三', nullable: true })
  @Field(() => String, { nullable: true })
  name: string | null;

  @ApiProperty({ enum: ['female', 'male', 'other', 'unknown'], example: 'female' })
  @Field()
  gender: string;

  @ApiPropertyOptional({
    description: '`YYYY-MM-DD`; `--MM-DD` without `pii:read` or when the year is unknown.',
    example: '1990-05-17',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  birthday: string | null;

  @ApiPropertyOptional({
    description: 'Birth year, kept in clear for age bands.',
    example: 1990,
    nullable: true,
  })
  @Field(() => Int, { nullable: true })
  birthYear: number | null;

  @ApiPropertyOptional({
    description: 'E.164; masked (`138****8000`) without `pii:read`.',
    example: '+8613800138000',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  phone: string | null;

  @ApiPropertyOptional({
    description: 'Masked (`z***@example.com`) without `pii:read`.',
    example: 'zhang.san@example.com',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  email: string | null;

  @ApiProperty({ type: AddressModel })
  @Field(() => AddressModel)
  address: AddressModel;

  @ApiPropertyOptional({ example: 'M', nullable: true })
  @Field(() => String, { nullable: true })
  clothingSize: string | null;

  @ApiPropertyOptional({ example: '38', nullable: true })
  @Field(() => String, { nullable: true })
  shoeSize: string | null;

  @ApiPropertyOptional({ example: 'store-001', nullable: true })
  @Field(() => String, { nullable: true })
  preferredStoreId: string | null;

  @ApiPropertyOptional({ example: 'store-001', nullable: true })
  @Field(() => String, { nullable: true })
  storeId: string | null;

  @ApiPropertyOptional({ example: 'staff-42', nullable: true })
  @Field(() => String, { nullable: true })
  registeredBy: string | null;

  @ApiProperty({ type: [String], example: ['vip'] })
  @Field(() => [String])
  tags: string[];

  @ApiProperty({ type: 'object', additionalProperties: true, example: { hobbies: ['hiking'] } })
  @Field(() => CustomerJson)
  attributes: Record<string, unknown>;

  @ApiProperty({
    description:
      'Profile completeness 0–100 from the tenant weights (hard 20 %, soft 80 % by default).',
    example: 45,
  })
  @Field(() => Int)
  completeness: number;

  @ApiPropertyOptional({
    type: TierModel,
    nullable: true,
    description: 'Current tier (maintained by loyalty).',
  })
  @Field(() => TierModel, { nullable: true })
  tier: TierModel | null;

  @ApiProperty({ description: 'Points balance (maintained by loyalty).', example: 1200 })
  @Field(() => Float)
  points: number;

  @ApiProperty({
    description: 'True when personal data in this response is masked (no `pii:read`).',
    example: false,
  })
  @Field()
  piiMasked: boolean;

  @ApiPropertyOptional({ example: '2026-11-23T08:00:00.000Z', nullable: true })
  @Field(() => String, { nullable: true })
  confirmedAt: string | null;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Survivor, for a merged tombstone.',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  mergedInto: string | null;

  @ApiProperty({ example: 3 })
  @Field(() => Int)
  version: number;

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z' })
  @Field()
  createdAt: string;

  @ApiProperty({ example: '2026-11-23T08:00:00.000Z' })
  @Field()
  updatedAt: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Purchase statistics (transactions feature).',
    nullable: true,
  })
  @Field(() => CustomerJson, { nullable: true })
  stats?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'RFM scores (segments feature).',
    nullable: true,
  })
  @Field(() => CustomerJson, { nullable: true })
  rfm?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Consent summary (consent feature).',
    nullable: true,
  })
  @Field(() => CustomerJson, { nullable: true })
  consents?: Record<string, unknown> | null;
}

@ObjectType('CustomerPage')
export class CustomerPageModel {
  @ApiProperty({ type: [CustomerModel] })
  @Field(() => [CustomerModel])
  items: CustomerModel[];

  @ApiPropertyOptional({ nullable: true, example: null })
  @Field(() => String, { nullable: true })
  nextCursor: string | null;
}
