import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { flattenValidationErrors } from '../common/http/validation';
import {
  requestHashOfCanonical,
  requestHashOfJson,
} from '../common/idempotency/idempotency.service';
import { currencyExponent, isCurrency, toMinorUnits } from '../common/money';
import { CustomerRef, identityCount } from '../loyalty/customer-refs';
import { TransactionInput } from './dto/transaction.input';
import { canonicalCheckedTransaction, certainlyValidTransaction } from './transaction-fast-check';

/** Clock skew a till may have: occurredAt up to 5 minutes ahead of our clock is accepted. */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

export interface PreparedLine {
  lineNo: number;
  sku: string;
  name: string | null;
  category: string | null;
  quantity: number;
  unitPriceMinor: bigint;
  amountMinor: bigint;
}

/** A transaction that passed every check that needs no database. */
export interface PreparedTransaction {
  index: number;
  hash: string;
  source: string;
  externalId: string;
  type: 'sale' | 'return';
  occurredAt: Date;
  storeId: string | null;
  customer: CustomerRef | null;
  currency: string;
  exponent: number;
  totalMinor: bigint;
  itemCount: number;
  lines: PreparedLine[];
  originalExternalId: string | null;
  /**
   * A return that names no sale (bulk imports of POS exports): it belongs to its own customer
   * reference, reduces stats and reverses points at the earn rate in force.
   */
  unlinked?: boolean;
}

/** A batch item that passed validation; `plain` when the fast check took it as it came. */
export interface ValidatedItem {
  input: TransactionInput;
  /** The parsed JSON itself (certainlyValidTransaction): hashed by canonicalCheckedTransaction. */
  plain: boolean;
}

/** Batch items arrive as plain JSON and are validated one by one, so one bad item fails alone. */
export function validateBatchItem(raw: unknown): ValidatedItem | DomainError {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return DomainError.field('transaction', 'invalid', 'Each transaction is a JSON object.');
  if (certainlyValidTransaction(raw)) return { input: raw as TransactionInput, plain: true };
  const input = plainToInstance(TransactionInput, raw, { enableImplicitConversion: false });
  const errors = validateSync(input, {
    whitelist: true,
    forbidNonWhitelisted: true,
    stopAtFirstError: false,
  });
  return errors.length
    ? DomainError.validation(flattenValidationErrors(errors))
    : { input, plain: false };
}

/**
 * Money, totals, currency, time and reference checks; every problem is reported by field.
 * `plain`: the input is parsed JSON the fast check accepted (ValidatedItem).
 */
export function prepareTransaction(
  input: TransactionInput,
  index: number,
  currencies: string[],
  now: Date,
  plain = false,
): PreparedTransaction {
  const errors: FieldError[] = [];
  if (!isCurrency(input.currency) || !currencies.includes(input.currency)) {
    throw DomainError.field(
      'currency',
      'unknown_currency',
      `Currency ${input.currency} is not accepted; this tenant takes ${currencies.join(', ')}.`,
    );
  }
  const exponent = currencyExponent(input.currency);
  const totalMinor = minorUnits(errors, input.total, input.currency, 'total');
  let sum = 0n;
  let itemCount = 0;
  const lines: PreparedLine[] = [];
  for (let i = 0; i < input.items.length; i++) {
    const item = input.items[i];
    const amountMinor = minorUnits(errors, item.amount, input.currency, 'amount', i);
    const unitPriceMinor = minorUnits(errors, item.unitPrice, input.currency, 'unitPrice', i);
    sum += amountMinor;
    itemCount += item.quantity;
    lines.push({
      lineNo: i + 1,
      sku: item.sku,
      name: item.name ?? null,
      category: item.category ?? null,
      quantity: item.quantity,
      unitPriceMinor,
      amountMinor,
    });
  }
  if (!errors.length && sum !== totalMinor) {
    errors.push({
      field: 'total',
      code: 'total_mismatch',
      message: `The items add up to ${sum} minor units but total is ${totalMinor}.`,
    });
  }
  const occurredAt = new Date(input.occurredAt);
  if (occurredAt.getTime() > now.getTime() + MAX_FUTURE_SKEW_MS) {
    errors.push({
      field: 'occurredAt',
      code: 'in_future',
      message: 'occurredAt is more than 5 minutes in the future.',
    });
  }
  if (input.type === 'return' && !input.originalExternalId) {
    errors.push({
      field: 'originalExternalId',
      code: 'required',
      message: 'A return names its sale in originalExternalId.',
    });
  }
  if (input.type === 'sale' && input.originalExternalId) {
    errors.push({
      field: 'originalExternalId',
      code: 'not_allowed',
      message: 'Only a return has an originalExternalId.',
    });
  }
  const ref = input.customer ?? null;
  const refProblem = ref ? customerRefProblem(ref) : undefined;
  if (refProblem) errors.push(refProblem);
  if (errors.length) throw DomainError.validation(errors);
  return {
    index,
    // Hashed as plain JSON, so a receipt hashes the same from the single and the batch endpoint.
    hash: plain
      ? requestHashOfCanonical(
          'TRANSACTION',
          '',
          canonicalCheckedTransaction(input as unknown as Record<string, unknown>),
        )
      : requestHashOfJson('TRANSACTION', '', input),
    source: input.source,
    externalId: input.externalId,
    type: input.type,
    occurredAt,
    storeId: input.storeId ?? null,
    customer: ref
      ? {
          id: ref.id,
          phone: ref.phone,
          email: ref.email,
          memberNo: ref.memberNo,
          identity: ref.identity,
          identities: ref.identities,
        }
      : null,
    currency: input.currency,
    exponent,
    totalMinor,
    itemCount,
    lines,
    originalExternalId: input.originalExternalId ?? null,
  };
}

/**
 * toMinorUnits, its field errors collected (0 in their place). The field name, `items[i].x`
 * for an item, is built only for an error: a 500-receipt batch converts 3,500 amounts.
 */
function minorUnits(
  errors: FieldError[],
  amount: string,
  currency: string,
  field: string,
  item?: number,
): bigint {
  try {
    return toMinorUnits(amount, currency, field);
  } catch (error) {
    if (!(error instanceof DomainError) || !error.options.errors) throw error;
    if (item === undefined) {
      errors.push(...error.options.errors);
      return 0n;
    }
    try {
      toMinorUnits(amount, currency, `items[${item}].${field}`);
    } catch (named) {
      if (!(named instanceof DomainError) || !named.options.errors) throw named;
      errors.push(...named.options.errors);
    }
    return 0n;
  }
}

/** A customer reference is an id alone, or one or more identities of the same person. */
export function customerRefProblem(ref: CustomerRef): FieldError | undefined {
  const hasId = ref.id !== undefined && ref.id !== null;
  const identities = identityCount(ref);
  if (hasId ? identities === 0 : identities >= 1) return undefined;
  return {
    field: 'customer',
    code: 'one_reference',
    message:
      'customer names either an id, or one or more of phone, email, memberNo, identity, identities.',
  };
}
