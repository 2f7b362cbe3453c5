/** Route templates audited automatically (customer personal data), with their resource name. */
const AUDITED_ROUTES: { pattern: RegExp; resource: string }[] = [
  { pattern: /^\/v1\/customers(\/|$)/, resource: 'customer' },
  { pattern: /^\/v1\/privacy\//, resource: 'privacy' },
  { pattern: /^\/v1\/segments\/:id\/(export|members)$/, resource: 'segment' },
  { pattern: /^\/v1\/follow-ups(\/|$)/, resource: 'customer' },
];

/** Customer fields that are personal data; what an audit entry lists under `fields`. */
export const PERSONAL_FIELDS = new Set([
  'name',
  'gender',
  'birthday',
  'phone',
  'email',
  'address',
  'memberNo',
  'identities',
  'attributes',
  'tags',
  'clothingSize',
  'shoeSize',
  'province',
  'city',
  'district',
  'consents',
  'evidence',
  'guardian',
]);

const VERBS: Record<string, string> = {
  GET: 'read',
  HEAD: 'read',
  POST: 'write',
  PUT: 'write',
  PATCH: 'write',
  DELETE: 'delete',
};

export function auditedRoute(template: string): string | undefined {
  return AUDITED_ROUTES.find((r) => r.pattern.test(template))?.resource;
}

export function verbFor(method: string): string {
  return VERBS[method] ?? 'access';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_IDS = 500;

/**
 * Customer ids in a response: `{ id }`, `{ customerId }`, `{ items: [...] }` or an array —
 * what a look-up or a list revealed.
 */
export function customerIdsIn(body: unknown, out: Set<string> = new Set(), depth = 0): Set<string> {
  if (!body || typeof body !== 'object' || depth > 2 || out.size >= MAX_IDS) return out;
  if (Array.isArray(body)) {
    for (const item of body) {
      if (out.size >= MAX_IDS) break;
      customerIdsIn(item, out, depth + 1);
    }
    return out;
  }
  const record = body as Record<string, unknown>;
  for (const key of ['customerId', 'id']) {
    const value = record[key];
    if (typeof value === 'string' && UUID.test(value)) {
      out.add(value.toLowerCase());
      break;
    }
  }
  if (Array.isArray(record.items)) customerIdsIn(record.items, out, depth + 1);
  return out;
}

/** Personal-data fields named by a body (written) or a response (read). */
export function personalFieldsIn(body: unknown): string[] {
  const sample = Array.isArray(body)
    ? body[0]
    : body && typeof body === 'object' && Array.isArray((body as { items?: unknown[] }).items)
      ? (body as { items: unknown[] }).items[0]
      : body;
  if (!sample || typeof sample !== 'object') return [];
  return Object.keys(sample).filter((k) => PERSONAL_FIELDS.has(k));
}
