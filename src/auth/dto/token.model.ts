import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

export class TokenRequest {
  @ApiProperty({ enum: ['client_credentials'], example: 'client_credentials' })
  grant_type: string;

  @ApiProperty({ example: 'kc_3f9a1c0e5b7d2a4c6e8f0a1b' })
  client_id: string;

  @ApiProperty({ example: 'ks_wq0Yb3...' })
  client_secret: string;

  @ApiPropertyOptional({
    description: "Space-separated subset of the client's scopes.",
    example: 'customers:read transactions:write',
  })
  scope?: string;
}

export class TokenResponse {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...' })
  access_token: string;

  @ApiProperty({ example: 'Bearer' })
  token_type: 'Bearer';

  @ApiProperty({ example: 3600 })
  expires_in: number;

  @ApiProperty({ example: 'customers:read transactions:write' })
  scope: string;
}

export class OAuthErrorResponse {
  @ApiProperty({
    enum: ['invalid_request', 'invalid_client', 'invalid_scope', 'unsupported_grant_type'],
    example: 'invalid_client',
  })
  error: string;

  @ApiProperty({ example: 'Unknown client or wrong secret.' })
  error_description: string;
}

export class StaffLoginInput {
  @ApiProperty({ description: 'Tenant slug.', example: 'demo' })
  @IsString()
  @MinLength(2)
  @MaxLength(63)
  tenant: string;

  @ApiProperty({ example: 'li.na@example.com' })
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery' })
  @IsString()
  @MaxLength(200)
  password: string;
}
