import { Injectable } from '@nestjs/common';
import { hasScope, Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { PiiCrypto } from '../common/crypto/pii-crypto.service';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { flattenValidationErrors } from '../common/http/validation';
import { isUuid, uuid7 } from '../common/uuid7';
import { ConsentService } from '../consent/consent.service';
import { CustomerUpdatesService } from '../customers/customer-updates.service';
import { UpdateCustomerInput } from '../customers/dto/customer.input';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { OutboxService } from '../events/outbox.service';
import { AuditService } from './audit/audit.service';
import type {
  CreatePrivacyRequestInput,
  PrivacyRequestModel,
  PrivacyRequestType,
} from './dto/privacy.dto';
import { ErasureService } from './erasure.service';
import { PrivacyExportService } from './privacy-export.service';
import { PrivacyRequestsRepository } from './privacy-requests.repository';
import { toPrivacyRequestModel } from './privacy.mapper';

const DEFAULT_DEADLINE_DAYS = 15;
const DAY_MS = 86_400_000;

/**
 * Data-subject requests. Each is one transaction: the request row, the work (bundle, erasure,
 * restriction) and its completion commit together, so a failed request leaves nothing.
 */
@Injectable()
export class PrivacyService {
  constructor(
    private readonly database: Database,
    private readonly requests: PrivacyRequestsRepository,
    private readonly exporter: PrivacyExportService,
    private readonly erasure: ErasureService,
    private readonly consent: ConsentService,
    private readonly updates: CustomerUpdatesService,
    private readonly outbox: OutboxService,
    private readonly crypto: PiiCrypto,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async create(
    principal: Principal,
    input: CreatePrivacyRequestInput,
  ): Promise<PrivacyRequestModel> {
    this.authorize(principal, input.type);
    const errors: FieldError[] = [];
    if (input.patch !== undefined && input.type !== 'correction')
      errors.push({ field: 'patch', code: 'not_allowed', message: 'patch is only for correction' });
    if (input.type === 'correction' && (!input.patch || !Object.keys(input.patch).length)) {
      errors.push({
        field: 'patch',
        code: 'required',
        message: 'correction needs a non-empty patch',
      });
    }
    if (input.lift !== undefined && input.type !== 'restriction')
      errors.push({ field: 'lift', code: 'not_allowed', message: 'lift is only for restriction' });
    const patch =
      input.type === 'correction' && input.patch ? toPatch(input.patch, errors) : undefined;
    if (errors.length) throw DomainError.validation(errors);

    const model = await this.database.withTenant(principal.tenantId, async (tx) => {
      const customer = await this.requests.lockCustomer(tx, input.customerId);
      if (!customer || customer.status === 'erased') throw DomainError.notFound('Customer');
      if (customer.status === 'merged') {
        throw new DomainError(
          'conflict',
          `The customer was merged into ${customer.merged_into}; file the request for that id.`,
          {
            extensions: { mergedInto: customer.merged_into },
          },
        );
      }
      const now = this.clock.now();
      const id = uuid7();
      await this.requests.insert(tx, {
        id,
        customer_id: customer.id,
        type: input.type,
        status: 'received',
        requested_by: `${principal.kind}:${principal.subject}`,
        note: input.note ?? null,
        patch_enc: input.patch ? this.crypto.encrypt(JSON.stringify(input.patch)) : null,
        deadline_at: new Date(
          now.getTime() + (customer.deadline_days ?? DEFAULT_DEADLINE_DAYS) * DAY_MS,
        ),
      });
      const done = await this.process(tx, principal, input, customer.id, id, now, patch);
      if (!done) return toPrivacyRequestModel((await this.requests.find(tx, id))!);
      const row = await this.requests.complete(tx, id, {
        resultEnc: done.resultEnc,
        summary: done.summary,
        now,
      });
      await this.outbox.record(tx, {
        type: 'privacy.request.completed',
        customerId: customer.id,
        subjectType: 'privacy_request',
        subjectId: id,
        payload: { requestId: id, type: input.type },
      });
      return toPrivacyRequestModel(row);
    });
    this.audit.recordFor(principal, {
      action: `privacy.${input.type}`,
      resource: 'privacy_request',
      customerIds: [model.customerId],
      ...(patch ? { fields: touchedFields(input.patch!) } : {}),
      details: { requestId: model.id, status: model.status },
    });
    return model;
  }

  async get(principal: Principal, id: string): Promise<PrivacyRequestModel> {
    return this.database.withTenant(principal.tenantId, async (tx) =>
      toPrivacyRequestModel(await this.require(tx, id)),
    );
  }

  /** The decrypted export bundle of an access/export request. */
  async result(principal: Principal, id: string): Promise<Record<string, unknown>> {
    this.authorize(principal, 'export');
    const bundle = await this.database.withTenant(principal.tenantId, async (tx) => {
      const row = await this.require(tx, id);
      if (!row.result_enc)
        throw new DomainError(
          'not_found',
          'This request has no downloadable result (not an export, or erased since).',
        );
      return {
        customerId: row.customer_id,
        bundle: JSON.parse(this.crypto.decrypt(row.result_enc)) as Record<string, unknown>,
      };
    });
    this.audit.recordFor(principal, {
      action: 'privacy.download',
      resource: 'privacy_request',
      customerIds: [bundle.customerId],
      details: { requestId: id },
    });
    return bundle.bundle;
  }

  private async process(
    tx: Tx,
    principal: Principal,
    input: CreatePrivacyRequestInput,
    customerId: string,
    requestId: string,
    now: Date,
    patch: UpdateCustomerInput | undefined,
  ): Promise<{ resultEnc: string | null; summary: Record<string, unknown> } | undefined> {
    switch (input.type) {
      case 'access':
      case 'export': {
        const { bundle, sections } = await this.exporter.bundle(tx, customerId, now);
        return { resultEnc: this.crypto.encrypt(JSON.stringify(bundle)), summary: { sections } };
      }
      case 'erasure':
        return {
          resultEnc: null,
          summary: await this.erasure.erase(tx, customerId, now, 'privacy_request'),
        };
      case 'restriction': {
        const changed = input.lift
          ? await this.consent.liftRestriction(tx, customerId)
          : await this.consent.restrict(tx, customerId, requestId);
        return { resultEnc: null, summary: { restricted: !input.lift, changed } };
      }
      case 'correction': {
        // The customers' own update use case, in this transaction: same rules, same 422s.
        const { customer } = await this.updates
          .updateWithin(tx, principal, customerId, patch!)
          .catch((error: unknown) => {
            throw underPatch(error);
          });
        return {
          resultEnc: null,
          summary: { fields: touchedFields(input.patch!), customerId: customer.id },
        };
      }
    }
  }

  private async require(tx: Tx, id: string) {
    const row = isUuid(id) ? await this.requests.find(tx, id) : undefined;
    if (!row) throw DomainError.notFound('Privacy request');
    return row;
  }

  private authorize(principal: Principal, type: PrivacyRequestType): void {
    if (hasScope(principal, 'privacy:admin')) return;
    if (type === 'erasure') {
      throw new DomainError(
        'forbidden',
        'Erasure needs the admin role or the privacy:admin scope.',
      );
    }
    if ((type === 'access' || type === 'export') && !hasScope(principal, 'pii:read')) {
      throw new DomainError(
        'forbidden',
        'Access and export reveal personal data: they need pii:read or privacy:admin.',
      );
    }
    if (
      (type === 'correction' || type === 'restriction') &&
      !hasScope(principal, 'customers:write')
    ) {
      throw new DomainError('forbidden', 'This request needs customers:write or privacy:admin.');
    }
  }
}

/**
 * A correction's patch checked exactly as `PATCH /v1/customers/{id}` checks its body (known
 * fields only, same decorators); problems are added to `errors` under `patch.…`.
 */
function toPatch(raw: Record<string, unknown>, errors: FieldError[]): UpdateCustomerInput {
  const patch = plainToInstance(UpdateCustomerInput, raw, { enableImplicitConversion: false });
  const problems = validateSync(patch, {
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: false,
  });
  errors.push(...flattenValidationErrors(problems, 'patch'));
  return patch;
}

/** The profile fields a correction writes: top-level keys, and keys inside address / attributes. */
function touchedFields(patch: Record<string, unknown>): string[] {
  return Object.entries(patch).flatMap(([key, value]) =>
    (key === 'address' || key === 'attributes') && value && typeof value === 'object'
      ? Object.keys(value).map((sub) => `${key}.${sub}`)
      : [key],
  );
}

/** The update's 422 names fields of the patch (`patch.phone`); other errors pass unchanged. */
function underPatch(error: unknown): unknown {
  if (!(error instanceof DomainError) || error.code !== 'validation_failed') return error;
  return DomainError.validation(
    (error.options.errors ?? []).map((e) => ({ ...e, field: `patch.${e.field}` })),
    error.detail,
  );
}
