import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { PiiCrypto } from '../common/crypto/pii-crypto.service';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { assertIfMatch, etagFor } from '../common/etag';
import { decodeCursor, encodeCursor, Page } from '../common/pagination';
import { isUuid, uuid7 } from '../common/uuid7';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database.service';
import { DeliveriesRepository } from './deliveries.repository';
import {
  CreateWebhookInput,
  DeliveryListQuery,
  RotateSecretInput,
  UpdateWebhookInput,
} from './dto/webhook.input';
import type { DeliveryModel, WebhookModel } from './dto/webhook.model';
import { ALL_EVENTS, isEventType } from './event-catalog';
import { toDeliveryModel, toWebhookModel } from './events.mapper';
import { checkWebhookUrl } from './webhook-url-guard';
import { generateWebhookSecret, isValidWebhookSecret } from './webhook-signature';
import { WebhooksRepository } from './webhooks.repository';

const DEFAULT_OVERLAP_MINUTES = 24 * 60;

/** A malformed id names nothing: answer 404 rather than let PostgreSQL reject the cast. */
function requireId(id: string, what: string): void {
  if (!isUuid(id)) throw DomainError.notFound(what);
}

/** Webhook subscriptions and their delivery log (the delivering itself is WebhookDispatcher's). */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly database: Database,
    private readonly webhooks: WebhooksRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly crypto: PiiCrypto,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async create(
    principal: Principal,
    input: CreateWebhookInput,
  ): Promise<{ webhook: WebhookModel; etag: string }> {
    await this.validate(input.url, input.events, input.secret);
    const secret = input.secret ?? generateWebhookSecret();
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const row = await this.webhooks.insert(tx, {
        id: uuid7(),
        url: input.url,
        description: input.description ?? null,
        events: [...new Set(input.events)],
        secret: this.crypto.encrypt(secret),
        active: input.active ?? true,
        // Captured from the creator: a subscription never sees more than the client that made it.
        piiAllowed: principal.scopes.has('pii:read'),
        createdBy: `${principal.kind}:${principal.subject}`,
        now: this.clock.now(),
      });
      return { webhook: toWebhookModel(row, secret), etag: etagFor(row.id, row.version) };
    });
  }

  async list(principal: Principal, limit: number, cursor?: string): Promise<Page<WebhookModel>> {
    const after = decodeCursor(cursor);
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const rows = await this.webhooks.list(tx, after, limit);
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((row) => toWebhookModel(row)),
        nextCursor:
          more && last
            ? encodeCursor({ createdAt: last.created_at.toISOString(), id: last.id })
            : null,
      };
    });
  }

  async get(principal: Principal, id: string): Promise<{ webhook: WebhookModel; etag: string }> {
    requireId(id, 'Webhook');
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const row = await this.webhooks.find(tx, id);
      if (!row) throw DomainError.notFound('Webhook');
      return { webhook: toWebhookModel(row), etag: etagFor(row.id, row.version) };
    });
  }

  async update(
    principal: Principal,
    id: string,
    input: UpdateWebhookInput,
    ifMatch?: string,
  ): Promise<{ webhook: WebhookModel; etag: string }> {
    requireId(id, 'Webhook');
    await this.validate(input.url, input.events, undefined);
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const current = await this.webhooks.find(tx, id, true);
      if (!current) throw DomainError.notFound('Webhook');
      assertIfMatch(ifMatch, etagFor(current.id, current.version));
      const row = await this.webhooks.update(
        tx,
        id,
        {
          url: input.url,
          description: input.description,
          events: input.events ? [...new Set(input.events)] : undefined,
          active: input.active,
          // A client without pii:read editing the subscription takes personal data out of it.
          piiAllowed: principal.scopes.has('pii:read') ? undefined : false,
        },
        this.clock.now(),
      );
      return { webhook: toWebhookModel(row), etag: etagFor(row.id, row.version) };
    });
  }

  async remove(principal: Principal, id: string): Promise<void> {
    requireId(id, 'Webhook');
    await this.database.withTenant(principal.tenantId, async (tx) => {
      if (!(await this.webhooks.delete(tx, id))) throw DomainError.notFound('Webhook');
    });
  }

  /** New secret now; the old one keeps signing (as a second signature) until the overlap ends. */
  async rotateSecret(
    principal: Principal,
    id: string,
    input: RotateSecretInput,
  ): Promise<WebhookModel> {
    requireId(id, 'Webhook');
    if (input.secret !== undefined && !isValidWebhookSecret(input.secret)) throw this.secretError();
    const secret = input.secret ?? generateWebhookSecret();
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const current = await this.webhooks.find(tx, id, true);
      if (!current) throw DomainError.notFound('Webhook');
      const now = this.clock.now();
      const overlapMs = (input.overlapMinutes ?? DEFAULT_OVERLAP_MINUTES) * 60_000;
      const row = await this.webhooks.update(
        tx,
        id,
        {
          secret: this.crypto.encrypt(secret),
          previousSecret: overlapMs > 0 ? current.secret : null,
          previousSecretExpiresAt: overlapMs > 0 ? new Date(now.getTime() + overlapMs) : null,
        },
        now,
      );
      return toWebhookModel(row, secret);
    });
  }

  async listDeliveries(
    principal: Principal,
    webhookId: string,
    query: DeliveryListQuery,
  ): Promise<Page<DeliveryModel>> {
    requireId(webhookId, 'Webhook');
    const limit = query.limit ?? 50;
    const after = decodeCursor(query.cursor);
    return this.database.withTenant(principal.tenantId, async (tx) => {
      if (!(await this.webhooks.find(tx, webhookId))) throw DomainError.notFound('Webhook');
      const rows = await this.deliveries.listForWebhook(tx, webhookId, after, query.status, limit);
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const attempts = await this.deliveries.attemptsFor(
        tx,
        page.map((r) => r.id),
      );
      const last = page[page.length - 1];
      return {
        items: page.map((row) =>
          toDeliveryModel(
            row,
            attempts.filter((a) => a.delivery_id === row.id),
          ),
        ),
        nextCursor:
          more && last
            ? encodeCursor({ createdAt: last.created_at.toISOString(), id: last.id })
            : null,
      };
    });
  }

  /** Queues the delivery's event again for the same subscription (a new delivery, due now). */
  async redeliver(principal: Principal, deliveryId: string): Promise<DeliveryModel> {
    requireId(deliveryId, 'Delivery');
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const original = await this.deliveries.find(tx, deliveryId);
      if (!original) throw DomainError.notFound('Delivery');
      const row = await this.deliveries.insertRedelivery(tx, original, uuid7(), this.clock.now());
      return toDeliveryModel(row, []);
    });
  }

  private async validate(
    url: string | undefined,
    events: string[] | undefined,
    secret: string | undefined,
  ): Promise<void> {
    const errors: FieldError[] = [];
    if (url !== undefined) {
      const problem = await checkWebhookUrl(url, this.config.webhookAllowPrivate);
      if (problem) errors.push({ field: 'url', ...problem });
    }
    events?.forEach((type, index) => {
      if (type !== ALL_EVENTS && !isEventType(type)) {
        errors.push({
          field: `events[${index}]`,
          code: 'unknown_event_type',
          message: `"${type}" is not an event type Kehu emits`,
        });
      }
    });
    if (secret !== undefined && !isValidWebhookSecret(secret))
      errors.push(this.secretError().options.errors![0]);
    if (errors.length) throw DomainError.validation(errors);
  }

  private secretError(): DomainError {
    return DomainError.field(
      'secret',
      'invalid_secret',
      'secret must be whsec_ followed by base64 of 24 to 64 bytes',
    );
  }
}
