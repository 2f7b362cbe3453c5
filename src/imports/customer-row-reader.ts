import type { FieldError } from '../common/errors/domain-error';
import type { AttributeDefinitionLike } from '../customers/customer-completeness';
import type { CustomerFieldsInput } from '../customers/dto/customer.input';
import { cleanText, isoDate, parseDateCell, parseNumberCell } from './import-values';

/** One customers-file row turned into profile input, plus the identities only files carry. */
export interface CustomerRowInput {
  fields: CustomerFieldsInput;
  memberNo?: string;
  externalId?: string;
  errors: FieldError[];
}

const GENDER_WORDS: Record<string, 'female' | 'male' | 'other' | 'unknown'> = {
  f: 'female',
  female: 'female',
  woman: 'female',
  w: 'female',
  女: 'female',
  女性: 'female',
  m: 'male',
  male: 'male',
  man: 'male',
  男: 'male',
  男性: 'male',
  other: 'other',
  其他: 'other',
  unknown: 'unknown',
  u: 'unknown',
  未知: 'unknown',
};

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', '是']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', '否']);
const LIMITS: Record<string, number> = {
  name: 100,
  storeId: 64,
  registeredBy: 64,
  preferredStoreId: 64,
  clothingSize: 20,
  shoeSize: 20,
};

/** Converts an attribute cell to its definition's type, so the customers' own check can judge it. */
function attributeValue(raw: string, definition: AttributeDefinitionLike | undefined): unknown {
  if (!definition) return raw;
  switch (definition.type) {
    case 'number':
      return parseNumberCell(raw) ?? raw;
    case 'boolean': {
      const word = raw.toLowerCase();
      return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : raw;
    }
    case 'date': {
      const date = parseDateCell(raw);
      return date ? isoDate(date) : raw;
    }
    case 'multi_enum':
      return raw
        .split(/[;|,、]/)
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return raw;
  }
}

/**
 * Reads the mapped cells of one row. Empty cells are left out entirely: an import fills blanks
 * and never clears a field. Text is trimmed and full-width ASCII made half-width; formulas
 * (`=HYPERLINK(...)`) stay literal text (exports neutralise them).
 */
export function readCustomerRow(
  record: Record<string, string>,
  definitions: Map<string, AttributeDefinitionLike>,
): CustomerRowInput {
  const fields: CustomerFieldsInput = {};
  const errors: FieldError[] = [];
  const result: CustomerRowInput = { fields, errors };
  const address: Record<string, string> = {};
  const attributes: Record<string, unknown> = {};
  for (const [target, rawValue] of Object.entries(record)) {
    const value = cleanText(rawValue);
    if (!value) continue;
    if (LIMITS[target] && value.length > LIMITS[target]) {
      errors.push({
        field: target,
        code: 'too_long',
        message: `${target} is longer than ${LIMITS[target]} characters.`,
      });
      continue;
    }
    switch (target) {
      case 'name':
      case 'phone':
      case 'email':
      case 'storeId':
      case 'registeredBy':
      case 'preferredStoreId':
      case 'clothingSize':
      case 'shoeSize':
        (fields as Record<string, unknown>)[target] = value;
        break;
      case 'gender': {
        const gender = GENDER_WORDS[value.toLowerCase()];
        if (gender) fields.gender = gender;
        else
          errors.push({
            field: target,
            code: 'invalid_gender',
            message: 'gender must be female, male, other or unknown (F/M, 女/男 accepted).',
          });
        break;
      }
      case 'birthday': {
        const date = parseDateCell(value);
        if (date) fields.birthday = isoDate(date);
        else
          errors.push({
            field: target,
            code: 'invalid_date',
            message: 'birthday must be a date such as 2024-01-05, 2024/1/5 or 20240105.',
          });
        break;
      }
      case 'memberNo':
        if (/^[A-Za-z0-9-]{1,32}$/.test(value)) result.memberNo = value.toUpperCase();
        else
          errors.push({
            field: target,
            code: 'invalid',
            message: 'memberNo is 1–32 letters, digits or "-".',
          });
        break;
      case 'externalId':
        if (value.length <= 200) result.externalId = value;
        else
          errors.push({
            field: target,
            code: 'too_long',
            message: 'externalId is longer than 200 characters.',
          });
        break;
      case 'tags':
        fields.tags = [
          ...new Set(
            value
              .split(/[;|,、]/)
              .map((t) => t.trim())
              .filter(Boolean),
          ),
        ].slice(0, 50);
        break;
      default:
        if (target.startsWith('address.')) address[target.slice(8)] = value;
        else if (target.startsWith('attr.'))
          attributes[target.slice(5)] = attributeValue(value, definitions.get(target.slice(5)));
    }
  }
  if (Object.keys(address).length) fields.address = address;
  if (Object.keys(attributes).length) fields.attributes = attributes;
  return result;
}

/** Fills what `into` lacks from `from`: the merge of duplicate rows and of a row into a stored record. */
export function fillBlanks(into: CustomerRowInput, from: CustomerRowInput): void {
  const a = into.fields as Record<string, unknown>;
  const b = from.fields as Record<string, unknown>;
  for (const [key, value] of Object.entries(b)) {
    if (key === 'tags')
      a.tags = [...new Set([...((a.tags as string[]) ?? []), ...(value as string[])])];
    else if (key === 'address' || key === 'attributes')
      a[key] = { ...(value as object), ...((a[key] as object) ?? {}) };
    else if (a[key] === undefined) a[key] = value;
  }
  into.memberNo ??= from.memberNo;
  into.externalId ??= from.externalId;
}
