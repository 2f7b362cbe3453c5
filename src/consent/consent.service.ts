import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { isUuid, uuid7 } from '../common/uuid7';
import { CustomerExtensions } from '../customers/customer-extensions';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { EventConsentPolicy } from '../events/event-consent';
import { OutboxService } from '../events/outbox.service';
import { toConsentEventModel, toConsentStateModel, toConsentSummary } from './consent.mapper';
import { ConsentCustomerRow, ConsentRepository, ConsentStateRow } from './consent.repository';
import {
  CONSENT_CHANNELS,
  ConsentChannel,
  ConsentPurpose,
  GUARDIAN_PURPOSES,
  isChanneled,
  isUnder14,
  localDate,
  SENSITIVE_ATTRIBUTE_KEYS,
} from './consent.rules';
import { consentAllowedSql, marketingAllowedSql } from './consent.sql';
import type { RecordConsentInput } from './dto/consent.input';
import type { ConsentEventModel, CustomerConsentsModel } from './dto/consent.model';

const HISTORY_LIMIT = 500;
/** Clock skew we tolerate on a caller's occurredAt before calling it "in the future". */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * Consent: records events, keeps the derived state, and is the one place other modules ask
 * "may we use this customer's data for X (on channel Y)?" — per customer (`isAllowed`) or
 * set-based in SQL (`marketingAllowedSql`, `consentAllowedSql`).
 */
@Injectable()
export class ConsentService implements OnModuleInit {
  constructor(
    private readonly database: Database,
    private readonly repository: ConsentRepository,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly extensions: CustomerExtensions,
    private readonly eventPolicy: EventConsentPolicy,
  ) {}

  onModuleInit(): void {
    this.extensions.registerView('consents', (tx, ids) => this.summaries(tx, ids), {
      sql: (alias) => this.repository.summaryColumnSql(alias),
      toBlocks: (_tx, values) => {
        const restricted = new Set<string>();
        const states: Pick<ConsentStateRow, 'customer_id' | 'purpose' | 'channel' | 'status'>[] =
          [];
        for (const [id, value] of values) {
          const [isRestricted, rows] = value as [boolean, [string, string, string][] | null];
          if (isRestricted) restricted.add(id);
          for (const [purpose, channel, status] of rows ?? [])
            states.push({ customer_id: id, purpose, channel, status });
        }
        return Promise.resolve(toConsentSummary([...values.keys()], states, restricted));
      },
    });
    this.extensions.registerMergeHandler('consent', (tx, survivorId, sourceIds) =>
      this.repository.mergeInto(tx, survivorId, sourceIds),
    );
    // Marketing events (webhooks, feed) about a customer leave Kehu only with marketing consent:
    // on the event's channel when it names one, otherwise on any channel. One query answers a
    // whole dispatcher batch or feed page.
    this.eventPolicy.registerBatch((inputs) => this.marketingAllowedForEvents(inputs));
  }

  /**
   * For each event (all of one tenant): may it leave for marketing use? Customer-less events
   * may; others need marketing consent on the event's `payload.channel` (when it is a known
   * channel), otherwise on at least one channel. One set-based query for the whole list.
   */
  async marketingAllowedForEvents(
    inputs: { tenantId: string; customerId: string | null; payload: Record<string, unknown> }[],
  ): Promise<boolean[]> {
    const ids = [
      ...new Set(
        inputs.flatMap((i) => (i.customerId && isUuid(i.customerId) ? [i.customerId] : [])),
      ),
    ];
    const byCustomer = new Map<string, Record<ConsentChannel, boolean>>();
    if (ids.length) {
      const tenantId = inputs[0].tenantId;
      if (inputs.some((i) => i.tenantId !== tenantId))
        throw new Error('consent batch spans tenants');
      const columns = CONSENT_CHANNELS.map(
        (channel) => `${consentAllowedSql('c', 'marketing', channel)} AS ${channel}`,
      ).join(', ');
      const rows = await this.database.withTenant(tenantId, (tx) =>
        tx.query<{ id: string } & Record<ConsentChannel, boolean>>(
          `SELECT c.id, ${columns} FROM customers c WHERE c.tenant_id = $1 AND c.id = ANY ($2::uuid[])`,
          [tx.tenant, ids],
        ),
      );
      for (const row of rows) byCustomer.set(row.id, row);
    }
    return inputs.map(({ customerId, payload }) => {
      if (!customerId) return true;
      const allowed = byCustomer.get(customerId);
      if (!allowed) return false;
      const channel =
        typeof payload.channel === 'string' &&
        (CONSENT_CHANNELS as readonly string[]).includes(payload.channel)
          ? (payload.channel as ConsentChannel)
          : undefined;
      return channel
        ? allowed[channel] === true
        : CONSENT_CHANNELS.some((c) => allowed[c] === true);
    });
  }

  async record(
    principal: Principal,
    customerId: string,
    input: RecordConsentInput,
  ): Promise<ConsentEventModel> {
    const purpose = input.purpose;
    const errors = [];
    if (isChanneled(purpose) && !input.channel) {
      errors.push({
        field: 'channel',
        code: 'required',
        message: 'channel is required for marketing consent',
      });
    }
    if (!isChanneled(purpose) && input.channel) {
      errors.push({
        field: 'channel',
        code: 'not_allowed',
        message: `${purpose} consent has no channel`,
      });
    }
    const now = this.clock.now();
    const occurredAt = input.occurredAt ? new Date(input.occurredAt) : now;
    if (occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      errors.push({
        field: 'occurredAt',
        code: 'in_future',
        message: 'occurredAt cannot be in the future',
      });
    }
    if (errors.length) throw DomainError.validation(errors);

    return this.database.withTenant(principal.tenantId, async (tx) => {
      const customer = await this.requireCustomer(tx, customerId);
      const minor = isUnder14(this.birth(customer), localDate(now, customer.time_zone));
      if (
        input.status === 'granted' &&
        minor &&
        GUARDIAN_PURPOSES.includes(purpose) &&
        !input.guardian
      ) {
        throw DomainError.field(
          'guardian',
          'guardian_required',
          `The customer is under 14: ${purpose} consent needs a guardian's consent (guardian name and relation).`,
        );
      }
      const event = await this.repository.insertEvent(tx, {
        id: uuid7(),
        customer_id: customer.id,
        purpose,
        channel: input.channel ?? '',
        status: input.status,
        source: input.source,
        evidence: {
          method: input.evidence.method,
          noticeVersion: input.evidence.noticeVersion,
          capturedBy: input.evidence.capturedBy ?? null,
          ip: input.evidence.ip ?? null,
        },
        guardian: input.guardian
          ? { name: input.guardian.name, relation: input.guardian.relation }
          : null,
        actor: `${principal.kind}:${principal.subject}`,
        occurred_at: occurredAt,
      });
      await this.repository.applyToState(tx, event);
      await this.outbox.record(tx, {
        type: 'consent.changed',
        customerId: customer.id,
        subjectType: 'consent',
        subjectId: event.id,
        payload: {
          purpose,
          channel: input.channel ?? null,
          status: input.status,
          source: input.source,
          occurredAt: occurredAt.toISOString(),
        },
      });
      return toConsentEventModel(event);
    });
  }

  async get(principal: Principal, customerId: string): Promise<CustomerConsentsModel> {
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const customer = await this.requireCustomer(tx, customerId);
      const minor = isUnder14(
        this.birth(customer),
        localDate(this.clock.now(), customer.time_zone),
      );
      const [states, history] = await Promise.all([
        this.repository.states(tx, [customer.id]),
        this.repository.history(tx, customer.id, HISTORY_LIMIT),
      ]);
      return {
        customerId: customer.id,
        minor,
        restricted: customer.restricted,
        current: states.map((s) =>
          toConsentStateModel(s, { minor, restricted: customer.restricted }),
        ),
        history: history.map(toConsentEventModel),
      };
    });
  }

  /**
   * For the customers module: throws 422 unless the customer has a granted `sensitive_data`
   * consent. Call it inside the write transaction before storing any sensitive attribute
   * (see `isSensitiveAttribute`).
   */
  async assertSensitiveAllowed(tx: Tx, customerId: string, field = 'attributes'): Promise<void> {
    const states = await this.repository.states(tx, [customerId]);
    const granted = states.some((s) => s.purpose === 'sensitive_data' && s.status === 'granted');
    if (!granted) {
      throw DomainError.field(
        field,
        'sensitive_consent_required',
        "Sensitive personal information (ID numbers, health, precise location…) needs the customer's sensitive_data consent first.",
      );
    }
  }

  /** Whether a custom attribute key holds sensitive personal information (PIPL art. 28). */
  isSensitiveAttribute(key: string): boolean {
    return SENSITIVE_ATTRIBUTE_KEYS.includes(key);
  }

  /** Per-customer check with the same rules as `consentAllowedSql` (webhooks, the events feed). */
  async isAllowed(
    tx: Tx,
    customerId: string,
    purpose: ConsentPurpose,
    channel?: ConsentChannel,
  ): Promise<boolean> {
    if (!isUuid(customerId)) return false;
    const rows = await tx.query<{ allowed: boolean }>(
      `SELECT ${consentAllowedSql('c', purpose, purpose === 'marketing' ? '$3' : undefined)} AS allowed
         FROM customers c WHERE c.tenant_id = $1 AND c.id = $2`,
      purpose === 'marketing' ? [tx.tenant, customerId, channel ?? ''] : [tx.tenant, customerId],
    );
    return rows[0]?.allowed === true;
  }

  /** SQL filter for channel exports; see consent.sql.ts and docs/DEVELOPING.md. */
  marketingAllowedSql(customerAlias: string, channelParamRef: string): string {
    return marketingAllowedSql(customerAlias, channelParamRef);
  }

  consentAllowedSql(
    customerAlias: string,
    purpose: ConsentPurpose,
    channelParamRef?: string,
  ): string {
    return consentAllowedSql(customerAlias, purpose, channelParamRef);
  }

  /** Restriction of processing (privacy request): no marketing or profiling until lifted. */
  async restrict(tx: Tx, customerId: string, requestId: string): Promise<boolean> {
    const added = await this.repository.addRestriction(tx, customerId, requestId);
    if (added)
      await this.outbox.record(tx, {
        type: 'consent.changed',
        customerId,
        payload: { restricted: true },
      });
    return added;
  }

  async liftRestriction(tx: Tx, customerId: string): Promise<boolean> {
    const removed = await this.repository.removeRestriction(tx, customerId);
    if (removed)
      await this.outbox.record(tx, {
        type: 'consent.changed',
        customerId,
        payload: { restricted: false },
      });
    return removed;
  }

  /** Inside an erasure: keep what was consented when, drop evidence that identifies a person. */
  async scrubForErasure(tx: Tx, customerId: string): Promise<void> {
    await this.repository.scrubForErasure(tx, customerId);
  }

  /** Raw events and state for a privacy export bundle. */
  async exportFor(tx: Tx, customerId: string): Promise<{ current: unknown[]; history: unknown[] }> {
    const [states, history] = await Promise.all([
      this.repository.states(tx, [customerId]),
      this.repository.history(tx, customerId, 100_000),
    ]);
    return {
      current: states.map((s) => toConsentStateModel(s, { minor: false, restricted: false })),
      history: history.map(toConsentEventModel),
    };
  }

  private async summaries(tx: Tx, customerIds: string[]): Promise<Map<string, unknown>> {
    const { states, restricted } = await this.repository.statesWithRestrictions(tx, customerIds);
    return toConsentSummary(customerIds, states, restricted);
  }

  private async requireCustomer(tx: Tx, customerId: string): Promise<ConsentCustomerRow> {
    const customer = isUuid(customerId)
      ? await this.repository.findCustomer(tx, customerId)
      : undefined;
    if (!customer || customer.status === 'erased') throw DomainError.notFound('Customer');
    if (customer.status === 'merged') {
      throw new DomainError(
        'conflict',
        `The customer was merged into ${customer.merged_into}; use that id.`,
        {
          extensions: { mergedInto: customer.merged_into },
        },
      );
    }
    return customer;
  }

  private birth(customer: ConsentCustomerRow) {
    return { year: customer.birth_year, month: customer.birth_month, day: customer.birth_day };
  }
}
