import { Field, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

const MONEY = /^\d{1,13}(\.\d{1,3})?$/;
const MONEY_MESSAGE = (field: string) => ({
  message: `${field} is a positive decimal string such as "128.50"`,
});

@InputType('CustomerRefInput')
export class CustomerRefInput {
  @ApiPropertyOptional({ format: 'uuid', example: '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20' })
  @Field({ nullable: true })
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiPropertyOptional({ example: '+8613800138000' })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string;

  @ApiPropertyOptional({
    description:
      'With another identity (phone, memberNo, identity…): all name the same person; when they are held by different customers the tenant match rules decide (merge, or 409 `identity_conflict`).',
    example: 'wang.fang@example.com',
  })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: 'M00012345' })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  memberNo?: string;

  @ApiPropertyOptional({
    description: '`type:value` or `type:namespace:value`.',
    example: 'wechat_openid:wx123:o6_bmjrPTlm6_2sgVt7hMZOPfL2M',
  })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  identity?: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 10,
    description:
      'More identities of the same person (`type:value` or `type:namespace:value`). Several identities held by different customers go through the tenant match rules: a `merge` rule merges them (the older survives; recorded with the rule) and the sale lands on the survivor; a `suggest` rule or different phones are 409 `identity_conflict`.',
    example: ['wechat_unionid:wxopen1:oU7Xs0zdmFjUBN2Qb5Ie3CvtS7iY'],
  })
  @Field(() => [String], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  identities?: string[];
}

@InputType('TransactionItemInput')
export class TransactionItemInput {
  @ApiProperty({ example: 'SKU-10293' })
  @Field()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  sku: string;

  @ApiPropertyOptional({ example: 'Linen shirt' })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  name?: string;

  @ApiPropertyOptional({ example: 'shirts' })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  category?: string;

  @ApiProperty({ description: 'Positive, up to 3 decimals (weighed goods).', example: 2 })
  @Field()
  @IsNumber({ maxDecimalPlaces: 3, allowNaN: false, allowInfinity: false })
  @Min(0.001)
  quantity: number;

  @ApiProperty({ example: '64.25' })
  @Field()
  @Matches(MONEY, MONEY_MESSAGE('unitPrice'))
  unitPrice: string;

  @ApiProperty({
    description: "Line amount after discounts; the items' amounts add up to `total`.",
    example: '128.50',
  })
  @Field()
  @Matches(MONEY, MONEY_MESSAGE('amount'))
  amount: string;
}

@InputType('TransactionInput')
export class TransactionInput {
  @ApiProperty({
    description: 'The posting system; with externalId the idempotency key of the receipt.',
    example: 'pos-store-001',
  })
  @Field()
  @Matches(/^[A-Za-z0-9._:-]{1,64}$/, { message: 'source is 1–64 letters, digits, . _ : -' })
  source: string;

  @ApiProperty({
    description: 'Receipt or order number in the source system.',
    example: 'R-20261123-000187',
  })
  @Field()
  @Matches(/^[\x21-\x7e]{1,128}$/, { message: 'externalId is 1–128 visible ASCII characters' })
  externalId: string;

  @ApiProperty({ enum: ['sale', 'return'], example: 'sale' })
  @Field()
  @IsIn(['sale', 'return'])
  type: 'sale' | 'return';

  @ApiProperty({
    description: 'When it happened at the till (at most 5 minutes in the future).',
    example: '2026-11-23T10:15:00+08:00',
  })
  @Field()
  @IsISO8601({ strict: true })
  occurredAt: string;

  @ApiPropertyOptional({ example: 'store-001' })
  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  storeId?: string;

  @ApiPropertyOptional({
    type: CustomerRefInput,
    nullable: true,
    description: 'null for an anonymous receipt (claim it later).',
  })
  @Field(() => CustomerRefInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => CustomerRefInput)
  customer?: CustomerRefInput | null;

  @ApiProperty({ example: 'CNY' })
  @Field()
  @Matches(/^[A-Z]{3}$/, { message: 'currency is an ISO 4217 code such as CNY' })
  currency: string;

  @ApiProperty({
    description: 'Positive for sales and returns alike; `type` says which way it counts.',
    example: '128.50',
  })
  @Field()
  @Matches(MONEY, MONEY_MESSAGE('total'))
  total: string;

  @ApiProperty({ type: [TransactionItemInput] })
  @Field(() => [TransactionItemInput])
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => TransactionItemInput)
  items: TransactionItemInput[];

  @ApiPropertyOptional({
    description: "For a return: the sale's externalId (same source).",
    example: 'R-20261120-000042',
  })
  @Field({ nullable: true })
  @IsOptional()
  @Matches(/^[\x21-\x7e]{1,128}$/, {
    message: 'originalExternalId is 1–128 visible ASCII characters',
  })
  originalExternalId?: string;
}

export class TransactionBatchInput {
  @ApiProperty({
    type: [TransactionInput],
    maxItems: 1000,
    description:
      'Up to 1,000 transactions, each validated and stored independently; answers are in the same order.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  transactions: unknown[];

  /**
   * The envelope only (FastValidated): the service validates each item alone, so one bad item
   * fails alone. Anything unusual goes through the decorators above for their errors.
   */
  static fastValidate(value: unknown): TransactionBatchInput | undefined {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const keys = Object.keys(value);
    if (keys.length !== 1 || keys[0] !== 'transactions') return undefined;
    const list = (value as { transactions: unknown }).transactions;
    if (!Array.isArray(list) || list.length < 1 || list.length > 1000) return undefined;
    return Object.assign(new TransactionBatchInput(), { transactions: list });
  }
}

@InputType('ClaimInput')
export class ClaimInput {
  @ApiProperty({ type: CustomerRefInput })
  @Field(() => CustomerRefInput)
  @ValidateNested()
  @Type(() => CustomerRefInput)
  customer: CustomerRefInput;
}
