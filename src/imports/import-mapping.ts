import { DomainError, FieldError } from '../common/errors/domain-error';

export type ImportKind = 'customers' | 'transactions';
export const IMPORT_KINDS: readonly ImportKind[] = ['customers', 'transactions'];

/** Fields a customers file can fill; `attr.<key>` adds custom attributes. */
export const CUSTOMER_TARGETS = [
  'name',
  'gender',
  'birthday',
  'phone',
  'email',
  'memberNo',
  'externalId',
  'storeId',
  'registeredBy',
  'preferredStoreId',
  'clothingSize',
  'shoeSize',
  'tags',
  'address.line',
  'address.province',
  'address.city',
  'address.district',
  'address.postcode',
] as const;

/**
 * Fields of a transactions file. One row is one receipt, or one item line of a receipt when
 * item fields are mapped (line-level POS exports); `receiptId` groups the lines.
 */
export const TRANSACTION_TARGETS = [
  'receiptId',
  'type',
  'occurredAt',
  'storeId',
  'currency',
  'total',
  'originalReceiptId',
  'customerId',
  'customerExternalId',
  'customerPhone',
  'customerMemberNo',
  'sku',
  'itemName',
  'category',
  'quantity',
  'unitPrice',
  'amount',
] as const;

/** Receipt-level fields: every line of one receipt must agree on them. */
export const RECEIPT_FIELDS = [
  'occurredAt',
  'storeId',
  'currency',
  'customerId',
  'customerExternalId',
  'customerPhone',
  'customerMemberNo',
  'type',
  'originalReceiptId',
] as const;

/** Column mapping and options, as given in the `mapping` query parameter or `--map` file. */
export interface ImportMapping {
  /** Header (CSV) or key (NDJSON) → target field. */
  columns: Record<string, string>;
  /** Source system of external ids (identity `external:<namespace>:<id>`). */
  namespace?: string;
  /** `source` of imported transactions (their idempotency key is (source, receiptId)). */
  source?: string;
  /** Currency when the file has none; also sets the loyalty program currency of an empty tenant. */
  currency?: string;
  /** IANA zone for dates without an offset; the tenant's zone by default. */
  timeZone?: string;
}

const KEY_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a mapping before any byte of the body is read: unknown targets, bad attribute keys,
 * two columns on one field and missing required fields are a 422 naming each problem.
 */
export function parseMapping(raw: unknown, kind: ImportKind): ImportMapping {
  const errors: FieldError[] = [];
  const input = (typeof raw === 'string' ? safeJson(raw, errors) : raw) ?? {};
  if (typeof input !== 'object' || Array.isArray(input))
    throw DomainError.field('mapping', 'invalid', 'mapping must be a JSON object.');
  const object = input as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!['columns', 'namespace', 'source', 'currency', 'timeZone'].includes(key))
      errors.push({
        field: `mapping.${key}`,
        code: 'unknown_field',
        message: `Unknown mapping option "${key}".`,
      });
  }
  const columns = (object.columns ?? {}) as Record<string, unknown>;
  if (typeof columns !== 'object' || Array.isArray(columns))
    errors.push({
      field: 'mapping.columns',
      code: 'invalid',
      message: 'columns maps header names to fields.',
    });
  const allowed: readonly string[] = kind === 'customers' ? CUSTOMER_TARGETS : TRANSACTION_TARGETS;
  const used = new Map<string, string>();
  const clean: Record<string, string> = {};
  for (const [header, target] of Object.entries(columns)) {
    const field = `mapping.columns.${header}`;
    if (typeof target !== 'string') {
      errors.push({ field, code: 'invalid', message: 'A target is a field name string.' });
      continue;
    }
    const isAttribute = kind === 'customers' && target.startsWith('attr.');
    if (isAttribute && !KEY_PATTERN.test(target.slice(5)))
      errors.push({
        field,
        code: 'invalid_attribute_key',
        message: `"${target}": attribute keys are lower-case letters, digits and _.`,
      });
    else if (!isAttribute && !allowed.includes(target))
      errors.push({
        field,
        code: 'unknown_target',
        message: `"${target}" is not a ${kind} field; use one of ${allowed.join(', ')}${kind === 'customers' ? ' or attr.<key>' : ''}.`,
      });
    if (used.has(target))
      errors.push({
        field,
        code: 'duplicate_target',
        message: `Columns "${used.get(target)}" and "${header}" both map to ${target}.`,
      });
    used.set(target, header);
    clean[header] = target;
  }
  const mapping: ImportMapping = { columns: clean };
  for (const key of ['namespace', 'source', 'currency', 'timeZone'] as const) {
    const value = object[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string')
      errors.push({ field: `mapping.${key}`, code: 'invalid', message: `${key} is a string.` });
    else mapping[key] = value.trim();
  }
  if (mapping.namespace !== undefined && !NAMESPACE_PATTERN.test(mapping.namespace))
    errors.push({
      field: 'mapping.namespace',
      code: 'invalid',
      message: 'namespace is lower-case letters, digits, ".", "_" and "-".',
    });
  if (mapping.source !== undefined && !NAMESPACE_PATTERN.test(mapping.source))
    errors.push({
      field: 'mapping.source',
      code: 'invalid',
      message: 'source is lower-case letters, digits, ".", "_" and "-".',
    });
  if (mapping.currency !== undefined && !/^[A-Z]{3}$/.test(mapping.currency))
    errors.push({
      field: 'mapping.currency',
      code: 'invalid',
      message: 'currency is an ISO 4217 code such as GBP.',
    });
  if (mapping.timeZone !== undefined && !validTimeZone(mapping.timeZone))
    errors.push({
      field: 'mapping.timeZone',
      code: 'invalid',
      message: 'timeZone is an IANA zone such as Europe/London.',
    });
  if (kind === 'transactions' && Object.keys(clean).length && !used.has('receiptId'))
    errors.push({
      field: 'mapping.columns',
      code: 'required',
      message: 'A transactions mapping needs a receiptId column.',
    });
  if (used.has('customerExternalId') && !mapping.namespace)
    errors.push({
      field: 'mapping.namespace',
      code: 'required',
      message: 'customerExternalId needs a namespace (the source system of the ids).',
    });
  if (used.has('externalId') && !mapping.namespace)
    errors.push({
      field: 'mapping.namespace',
      code: 'required',
      message: 'externalId needs a namespace (the source system of the ids).',
    });
  if (errors.length) throw DomainError.validation(errors, 'The column mapping is not valid.');
  return mapping;
}

/**
 * The targets of a file's header: the mapping's columns, or (with no mapping) headers that
 * already are field names. A mapped column missing from the header is a 422.
 */
export function resolveColumns(
  mapping: ImportMapping,
  header: string[],
  kind: ImportKind,
): Map<string, string> {
  const allowed: readonly string[] = kind === 'customers' ? CUSTOMER_TARGETS : TRANSACTION_TARGETS;
  const result = new Map<string, string>();
  if (Object.keys(mapping.columns).length) {
    const missing = Object.keys(mapping.columns).filter((h) => !header.includes(h));
    if (missing.length) {
      throw DomainError.validation(
        missing.map((h) => ({
          field: `mapping.columns.${h}`,
          code: 'unknown_column',
          message: `The file has no column "${h}".`,
        })),
        'The mapping names columns the file does not have.',
      );
    }
    for (const [h, target] of Object.entries(mapping.columns)) result.set(h, target);
  } else {
    for (const h of header)
      if (allowed.includes(h) || (kind === 'customers' && h.startsWith('attr.'))) result.set(h, h);
  }
  if (!result.size)
    throw DomainError.field(
      'mapping',
      'no_columns',
      'No column of the file maps to a field; give a mapping.',
    );
  return result;
}

function safeJson(text: string, errors: FieldError[]): unknown {
  try {
    return JSON.parse(text);
  } catch {
    errors.push({ field: 'mapping', code: 'invalid_json', message: 'mapping is not valid JSON.' });
    return undefined;
  }
}

/** A header or key that already is a field name maps to itself when no mapping is given. */
export function defaultTarget(kind: ImportKind, key: string): string | undefined {
  const allowed: readonly string[] = kind === 'customers' ? CUSTOMER_TARGETS : TRANSACTION_TARGETS;
  return allowed.includes(key) || (kind === 'customers' && key.startsWith('attr.'))
    ? key
    : undefined;
}
