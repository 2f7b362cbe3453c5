import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';

export class FieldErrorModel {
  @ApiProperty({ example: 'phone' })
  field: string;
  @ApiProperty({ example: 'invalid_phone' })
  code: string;
  @ApiProperty({ example: 'phone is not a valid phone number' })
  message: string;
}

export class ProblemModel {
  @ApiProperty({ example: 'https://kehu.dev/problems/validation-failed' })
  type: string;
  @ApiProperty({ example: 'The request is not valid' })
  title: string;
  @ApiProperty({ example: 422 })
  status: number;
  @ApiProperty({ example: 'One or more fields are invalid.' })
  detail: string;
  @ApiProperty({ description: 'Stable machine-readable error code.', example: 'validation_failed' })
  code: string;
  @ApiPropertyOptional({ type: [FieldErrorModel] })
  errors?: FieldErrorModel[];
  @ApiProperty({ example: 'req-7f3a' })
  requestId: string;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (`malformed_request`).',
  401: 'Missing, expired or forged token (`unauthorized`).',
  403: 'Token lacks a scope or role (`forbidden`).',
  404: 'Not found (`not_found`).',
  409: 'Conflict with the current state (`conflict` and specific codes).',
  412: 'If-Match does not match the current ETag (`precondition_failed`).',
  413: 'Body over the size limit (`payload_too_large`).',
  415: 'Unsupported content type (`unsupported_media_type`).',
  422: 'Validation failed; `errors` names each field (`validation_failed`, `idempotency_key_reuse`).',
  429: 'Rate limited (`rate_limited`), see Retry-After.',
};

/** Documents problem+json error responses on an operation. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemModel, FieldErrorModel),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemModel) } } },
      }),
    ),
  );
}
