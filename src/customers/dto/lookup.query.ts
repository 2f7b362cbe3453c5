import { ArgsType, Field } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';

/** Exactly one of the four. */
@ArgsType()
export class LookupQueryDto {
  @ApiPropertyOptional({
    description: 'Any common format; normalised with the tenant region.',
    example: '13800138000',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string;

  @ApiPropertyOptional({ example: 'zhang.san@example.com' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: 'M1234567897' })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  memberNo?: string;

  @ApiPropertyOptional({
    description:
      '`type:value` or `type:namespace:value`, e.g. `wechat_openid:wx5f1a:oX2a9sK3mPq7`.',
    example: 'external:shopify:123',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  identity?: string;

  @ApiPropertyOptional({
    enum: ['views'],
    description:
      '`views` adds the blocks other features contribute (stats, rfm, consents) at one query each; without it the look-up is one indexed read.',
  })
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(['views'])
  include?: string;
}
