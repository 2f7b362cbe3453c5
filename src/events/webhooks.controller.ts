import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { PageQuery } from '../common/pagination';
import {
  CreateWebhookInput,
  DeliveryListQuery,
  RotateSecretInput,
  UpdateWebhookInput,
} from './dto/webhook.input';
import { DeliveryModel, DeliveryPage, WebhookModel, WebhookPage } from './dto/webhook.model';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @Scopes('webhooks:admin')
  @ApiOperation({
    summary: 'Subscribe a URL to events',
    description:
      'Deliveries are signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature` v1 HMAC-SHA256 ' +
      'with the `whsec_` secret, returned only here and on rotation). The URL must be https and must not resolve to a private, ' +
      'loopback or link-local address (unless KEHU_WEBHOOK_ALLOW_PRIVATE=true). Payloads carry personal data only when the ' +
      'creating client holds `pii:read`.',
  })
  @ApiCreatedResponse({ type: WebhookModel })
  @ApiProblems(401, 403, 422)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() input: CreateWebhookInput,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebhookModel> {
    const { webhook, etag } = await this.webhooks.create(principal, input);
    void reply.header('Location', `/v1/webhooks/${webhook.id}`).header('ETag', etag);
    return webhook;
  }

  @Get()
  @Scopes('webhooks:admin')
  @ApiOperation({
    summary: 'List webhook subscriptions',
    description: 'Newest first, cursor-paginated. Secrets are never listed.',
  })
  @ApiOkResponse({ type: WebhookPage })
  @ApiProblems(401, 403, 422)
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQuery): Promise<WebhookPage> {
    return this.webhooks.list(principal, query.limit ?? 50, query.cursor);
  }

  @Get(':id')
  @Scopes('webhooks:admin')
  @ApiOperation({
    summary: 'Get a webhook subscription',
    description:
      'With an `ETag` for `If-Match` on PATCH; includes the failure streak and why it was disabled, if it was.',
  })
  @ApiOkResponse({ type: WebhookModel })
  @ApiProblems(401, 403, 404)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebhookModel> {
    const { webhook, etag } = await this.webhooks.get(principal, id);
    void reply.header('ETag', etag);
    return webhook;
  }

  @Patch(':id')
  @Scopes('webhooks:admin')
  @ApiOperation({
    summary: 'Change a webhook subscription',
    description:
      'URL, events, description, active. Setting `active: true` re-enables an auto-disabled subscription and resets its failure count. Honours `If-Match`.',
  })
  @ApiOkResponse({ type: WebhookModel })
  @ApiProblems(401, 403, 404, 412, 422)
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: UpdateWebhookInput,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebhookModel> {
    const { webhook, etag } = await this.webhooks.update(principal, id, input, ifMatch);
    void reply.header('ETag', etag);
    return webhook;
  }

  @Delete(':id')
  @HttpCode(204)
  @Scopes('webhooks:admin')
  @ApiOperation({
    summary: 'Delete a webhook subscription',
    description: 'Stops deliveries at once and removes its delivery log.',
  })
  @ApiNoContentResponse()
  @ApiProblems(401, 403, 404)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.webhooks.remove(principal, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @Scopes('webhooks:admin')
  @ApiOperation({
    summary: 'Rotate the signing secret',
    description:
      'Returns the new secret. During `overlapMinutes` (default 24 h) deliveries carry two signatures, one per secret, so ' +
      'receivers verify with either while they switch.',
  })
  @ApiOkResponse({ type: WebhookModel })
  @ApiProblems(401, 403, 404, 422)
  rotate(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: RotateSecretInput,
  ): Promise<WebhookModel> {
    return this.webhooks.rotateSecret(principal, id, input);
  }

  @Get(':id/deliveries')
  @Scopes('webhooks:admin')
  @ApiOperation({
    summary: 'Delivery log of a subscription',
    description:
      'Newest first: status, attempts, last response code and latency, and every attempt with its outcome.',
  })
  @ApiOkResponse({ type: DeliveryPage })
  @ApiProblems(401, 403, 404, 422)
  deliveries(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: DeliveryListQuery,
  ): Promise<DeliveryPage> {
    return this.webhooks.listDeliveries(principal, id, query);
  }

  @Post('deliveries/:id/redeliver')
  @HttpCode(202)
  @Scopes('webhooks:admin')
  @ApiOperation({
    summary: 'Send a delivery again',
    description:
      'Queues the same event (same `webhook-id`) for the same subscription as a new delivery, due now.',
  })
  @ApiAcceptedResponse({ type: DeliveryModel })
  @ApiProblems(401, 403, 404)
  redeliver(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<DeliveryModel> {
    return this.webhooks.redeliver(principal, id);
  }
}
