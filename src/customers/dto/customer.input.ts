import { Field, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { CustomerJson } from './json-object.scalar';

export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;
export const IDENTITY_TYPES = [
  'phone',
  'email',
  'member_no',
  'wechat_openid',
  'wechat_unionid',
  'wework_external_userid',
  'external',
] as const;
export type IdentityType = (typeof IDENTITY_TYPES)[number];

@InputType('AddressInput')
export class AddressInput {
  @ApiPropertyOptional({ example: '上海市', maxLength: 50, nullable: true })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  province?: string | null;

  @ApiPropertyOptional({ example: '上海市', maxLength: 50, nullable: true })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  city?: string | null;

  @ApiPropertyOptional({ example: '静安区', maxLength: 50, nullable: true })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  district?: string | null;

  @ApiPropertyOptional({
    description: 'Street line; personal data, stored encrypted.',
    example: '南京西路 1266 号',
    maxLength: 200,
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  line?: string | null;

  @ApiPropertyOptional({ example: '200040', maxLength: 20, nullable: true })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  postcode?: string | null;
}

@InputType('IdentityInput')
export class IdentityInput {
  @ApiProperty({ enum: IDENTITY_TYPES, example: 'wechat_openid' })
  @Field(() => String)
  @IsIn(IDENTITY_TYPES)
  type: IdentityType;

  @ApiProperty({ example: 'oX2a9sK3mPq7', maxLength: 200 })
  @Field()
  @IsString()
  @MaxLength(200)
  value: string;

  @ApiPropertyOptional({
    description:
      'Required for namespaced types: WeChat app id for `wechat_openid`, open-platform account for `wechat_unionid`, corp id for `wework_external_userid`, source system for `external` (e.g. `shopify`).',
    example: 'wx5f1a',
    maxLength: 64,
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, {
    message: 'namespace is 1–64 letters, digits, dot, dash or underscore',
  })
  namespace?: string;

  @ApiPropertyOptional({
    description:
      'The id was verified (e.g. a phone confirmed by SMS or WeChat getPhoneNumber); verified phones merge automatically under the default match rules.',
    example: false,
  })
  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  verified?: boolean;
}

/** Fields shared by create and patch; on PATCH, null clears a field (JSON merge patch). */
@InputType('CustomerFieldsInput', { isAbstract: true })
export class CustomerFieldsInput {
  @ApiPropertyOptional({ example: '张三', maxLength: 100, nullable: true })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string | null;

  @ApiPropertyOptional({ enum: GENDERS, example: 'female', nullable: true })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(GENDERS)
  gender?: (typeof GENDERS)[number] | null;

  @ApiPropertyOptional({
    description: '`YYYY-MM-DD`, or `--MM-DD` when the year is unknown.',
    example: '1990-05-17',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  birthday?: string | null;

  @ApiPropertyOptional({
    description: 'Any common format; normalised to E.164 with the tenant region.',
    example: '138 0013 8000',
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string | null;

  @ApiPropertyOptional({ example: 'zhang.san@example.com', maxLength: 254, nullable: true })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string | null;

  @ApiPropertyOptional({ type: AddressInput, nullable: true })
  @Field(() => AddressInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => AddressInput)
  address?: AddressInput | null;

  @ApiPropertyOptional({ example: 'M', maxLength: 20, nullable: true })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  clothingSize?: string | null;

  @ApiPropertyOptional({ example: '38', maxLength: 20, nullable: true })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  shoeSize?: string | null;

  @ApiPropertyOptional({ example: 'store-001', maxLength: 64, nullable: true })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  preferredStoreId?: string | null;

  @ApiPropertyOptional({
    description: 'Store the profile belongs to (staff of role `staff` see only their store).',
    example: 'store-001',
    maxLength: 64,
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  storeId?: string | null;

  @ApiPropertyOptional({
    description: 'Staff member who registered the profile.',
    example: 'staff-42',
    maxLength: 64,
    nullable: true,
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  registeredBy?: string | null;

  @ApiPropertyOptional({ type: [String], example: ['vip', 'outdoor'], maxItems: 50 })
  @Field(() => [String], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[] | null;

  @ApiPropertyOptional({
    description:
      'Custom attributes, checked against `/v1/attribute-definitions`. On PATCH, keys merge and null removes one.',
    type: 'object',
    additionalProperties: true,
    example: { hobbies: ['hiking'], style: 'minimal' },
  })
  @Field(() => CustomerJson, { nullable: true })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, unknown> | null;
}

@InputType('CreateCustomerInput')
export class CreateCustomerInput extends CustomerFieldsInput {
  @ApiPropertyOptional({
    description:
      'Member (card) number; generated from the tenant prefix plus a check digit when absent.',
    example: 'M1234567897',
    maxLength: 32,
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9-]{1,32}$/, { message: 'memberNo is 1–32 letters, digits or dashes' })
  memberNo?: string;

  @ApiPropertyOptional({ type: [IdentityInput], maxItems: 20 })
  @Field(() => [IdentityInput], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => IdentityInput)
  identities?: IdentityInput[];
}

/** JSON merge patch (RFC 7396) of a profile. Identities change through their own endpoints. */
@InputType('UpdateCustomerInput')
export class UpdateCustomerInput extends CustomerFieldsInput {}
