import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { AttributeDefinitionsService } from './attribute-definitions.service';
import {
  AttributeDefinitionModel,
  CreateAttributeDefinitionInput,
  UpdateAttributeDefinitionInput,
} from './dto/attribute-definition.dto';

@ApiTags('customers')
@ApiBearerAuth()
@Controller('v1/attribute-definitions')
export class AttributeDefinitionsController {
  constructor(private readonly definitions: AttributeDefinitionsService) {}

  @Get()
  @Scopes('customers:read')
  @ApiOperation({
    summary: 'List custom attribute definitions',
    description:
      "The tenant's custom attributes (soft data such as work, family, hobbies), by key.",
  })
  @ApiOkResponse({ type: [AttributeDefinitionModel] })
  @ApiProblems(401, 403)
  list(@CurrentPrincipal() principal: Principal): Promise<AttributeDefinitionModel[]> {
    return this.definitions.list(principal);
  }

  @Post()
  @Scopes('customers:write')
  @ApiOperation({
    summary: 'Define a custom attribute',
    description:
      'Typed (`string|number|boolean|date|enum|multi_enum`), with options for enums, a completeness group (`hard|soft`) and a weight inside the group. Keys are unique (409).',
  })
  @ApiCreatedResponse({ type: AttributeDefinitionModel })
  @ApiProblems(401, 403, 409, 422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() input: CreateAttributeDefinitionInput,
  ): Promise<AttributeDefinitionModel> {
    return this.definitions.create(principal, input);
  }

  @Patch(':key')
  @Scopes('customers:write')
  @ApiOperation({
    summary: 'Change a custom attribute',
    description:
      'Label, options, group and weight may change; the type may not (stored values must stay valid).',
  })
  @ApiOkResponse({ type: AttributeDefinitionModel })
  @ApiProblems(401, 403, 404, 422)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('key') key: string,
    @Body() input: UpdateAttributeDefinitionInput,
  ): Promise<AttributeDefinitionModel> {
    return this.definitions.update(principal, key, input);
  }
}
