import { rfmSegmentOf, RFM_SEGMENTS } from '../rfm/rfm-segments';
import { compileRule } from './rule-compiler';
import { RuleError } from './rule-error';
import { checkRule } from './rule-language';
import { readRule } from './rule-tree';
import { SqlParams } from './sql-params';

const NOW = new Date('2026-11-23T02:00:00Z');
const context = { now: NOW, timeZone: 'Asia/Shanghai', currency: 'CNY' };

function compile(query: unknown) {
  const parsed = readRule(query);
  const params = new SqlParams(['tenant']);
  const compiled = compileRule(parsed.tree, parsed.locator, context, params);
  return { ...compiled, params: params.values };
}

function errorOf(query: unknown): RuleError {
  try {
    compile(query);
  } catch (error) {
    if (error instanceof RuleError) return error;
    throw error;
  }
  throw new Error('expected a RuleError');
}

describe('rule compiler: SQL shape', () => {
  it('compiles the API.md example to parameterised SQL with only the joins it needs', () => {
    const { where, joins, params } = compile(
      'stats.totalSpent >= 1000 and tier in ("gold") and consent.sms and tags contains "vip"',
    );
    expect(joins).toBe(
      'LEFT JOIN customer_stats s ON s.tenant_id = c.tenant_id AND s.customer_id = c.id',
    );
    expect(where).toContain(
      '((coalesce(s.sales_minor, 0) - coalesce(s.returns_minor, 0)) >= $2::numeric)',
    );
    expect(where).toContain('(c.tier_code = ANY($3::text[]))');
    expect(where).toContain("cs.channel = $4::text AND cs.status = 'granted'");
    expect(where).toContain('(c.tags @> ARRAY[$5::text]::text[])');
    // Money literals are major units, stored as minor units.
    expect(params).toEqual(['tenant', '100000', ['gold'], 'sms', 'vip']);
  });

  it('never puts a caller value into the SQL text', () => {
    const evil = `'; drop table customers; --`;
    const { where, params } = compile(
      `city = "${evil.replace(/"/g, '')}" or attr.style = "${evil}" or tags contains "${evil}"`,
    );
    expect(where).not.toContain('drop');
    expect(params.filter((p) => typeof p === 'string' && p.includes('drop'))).toHaveLength(3);
  });

  it('resolves relative dates against the injected clock', () => {
    const { where, params } = compile('stats.lastPurchaseAt < now() - 90d');
    expect(where).toBe('(s.last_purchase_at < $2::timestamptz)');
    expect(params[1]).toEqual(new Date(NOW.getTime() - 90 * 86_400_000));
  });

  it('reads calendar dates in the tenant time zone', () => {
    const { where, params } = compile('createdAt >= "2026-01-01"');
    expect(where).toBe('(c.created_at >= ($2::timestamp AT TIME ZONE $3::text))');
    expect(params.slice(1)).toEqual(['2026-01-01', 'Asia/Shanghai']);
  });

  it('compiles current month and age with the clock and zone as parameters', () => {
    const { where, params } = compile('birthMonth = currentMonth() and age >= 30');
    expect(where).toContain(
      '(c.birth_month = extract(month FROM ($2::timestamptz AT TIME ZONE $3::text)))',
    );
    expect(where).toContain('c.birth_year) >= $4::numeric');
    expect(params.slice(1)).toEqual([NOW, 'Asia/Shanghai', 30]);
  });

  it('compiles purchased() as EXISTS over transactions, joining items only when needed', () => {
    const category = compile('purchased(category: "外套", within: 180d)');
    expect(category.where).toContain('FROM transactions t JOIN transaction_items i');
    expect(category.where).toContain(
      "t.type = 'sale' AND i.category = $2::text AND t.occurred_at >= $3::timestamptz",
    );
    expect(category.params[2]).toEqual(new Date(NOW.getTime() - 180 * 86_400_000));
    const store = compile('purchased(store: "S1")');
    expect(store.where).not.toContain('transaction_items');
    expect(compile('purchased(sku: "A12")').where).toContain('i.sku = $2::text');
  });

  it('uses two-valued logic: not over an unknown value is true', () => {
    expect(compile('not stats.aov > 100').where).toContain(
      '(NOT coalesce(((CASE WHEN s.purchase_count > 0',
    );
    expect(compile('city != "上海"').where).toBe('(c.city IS DISTINCT FROM $2::text)');
    expect(compile('city not in ("上海", "北京")').where).toBe(
      'coalesce(c.city <> ALL($2::text[]), true)',
    );
  });

  it('compiles null checks, between and tag emptiness', () => {
    expect(compile('phone is not null').where).toBe('(c.phone_enc IS NOT NULL)');
    expect(compile('tags is null').where).toBe('(cardinality(c.tags) = 0)');
    expect(compile('points between 100 and 500').where).toBe(
      '(c.points_balance BETWEEN $2::numeric AND $3::numeric)',
    );
  });

  it('compiles consent and feedback against their read models', () => {
    // The consent module's own rule: active, granted on the channel, not restricted, guardian for minors.
    const granted = compile('consent.email');
    expect(granted.where).toContain(
      "cs.purpose = 'marketing' AND cs.channel = $2::text AND cs.status = 'granted'",
    );
    expect(granted.where).toContain('privacy_restrictions');
    expect(granted.params).toEqual(['tenant', 'email']);
    expect(compile('not consent.email').where).toMatch(
      /^\(NOT coalesce\(\(c\.status = 'active' AND EXISTS/,
    );
    expect(compile('consent.wechat = false').where).toMatch(
      /^\(NOT \(c\.status = 'active' AND EXISTS \(SELECT 1 FROM consent_state/,
    );
    expect(compile('feedback.openComplaints > 0').where).toContain("f.type = 'complaint'");
  });

  it('compiles RFM fields with the rfm join only', () => {
    const { where, joins } = compile(
      'rfm.segment in ("champions", "loyal") and rfm.r >= 4 and rfm.gold',
    );
    expect(joins).toBe(
      'LEFT JOIN customer_rfm r ON r.tenant_id = c.tenant_id AND r.customer_id = c.id',
    );
    expect(where).toContain('(r.segment = ANY($2::text[]))');
    expect(where).toContain('(coalesce(r.gold, false) = $4::boolean)');
  });

  it('compiles custom attributes with the key as a parameter', () => {
    const eq = compile('attr.style = "商务"');
    expect(eq.where).toBe('(c.attributes @> $2::jsonb)');
    expect(eq.params[1]).toBe('{"style":"商务"}');
    const range = compile('attr.height > 170');
    expect(range.where).toContain("jsonb_typeof(c.attributes -> $2::text) = 'number'");
    expect(range.params.slice(1)).toEqual(['height', 170]);
    expect(compile('attr.hobbies contains "golf"').params[1]).toBe('{"hobbies":["golf"]}');
    expect(compile('attr.vip in (true)').where).toBe(
      'coalesce((c.attributes -> $3::text) = ANY($2::jsonb[]), false)',
    );
    expect(compile('attr.note is null').where).toContain(
      "coalesce(jsonb_typeof(c.attributes -> $2::text), 'null') = 'null'",
    );
  });
});

describe('rule compiler: type checking with positions', () => {
  it.each([
    [
      'tier > 3',
      'line 1, col 1: tier is text; ">" does not apply (use =, !=, in, not in, is null, is not null)',
      'type_mismatch',
    ],
    ['city = "x" and stats.foo > 1', 'line 1, col 16: unknown field stats.foo', 'unknown_field'],
    [
      'stats.totalSpent >= "lots"',
      'line 1, col 21: stats.totalSpent is an amount; "lots" is not a number',
      'type_mismatch',
    ],
    [
      'stats.totalSpent >= 10.005',
      'line 1, col 21: stats.totalSpent: 10.005 is not a valid CNY amount',
      'invalid_value',
    ],
    [
      'gender = "robot"',
      'line 1, col 10: gender is one of female, male, other, unknown; "robot" is not',
      'invalid_value',
    ],
    [
      'rfm.segment in ("champions", "vips")',
      'line 1, col 16: rfm.segment is one of ' + RFM_SEGMENTS.join(', ') + '; "vips" is not',
      'invalid_value',
    ],
    [
      'city',
      'line 1, col 1: city is text, not true/false; compare it with a value',
      'type_mismatch',
    ],
    [
      'consent.fax',
      'line 1, col 1: unknown field consent.fax (channels: sms, email, wechat, phone, push)',
      'unknown_field',
    ],
    [
      'consent.sms > 1',
      'line 1, col 1: consent.sms is true/false; write consent.sms or not consent.sms',
      'type_mismatch',
    ],
    [
      'stats.lastPurchaseAt < 90',
      'line 1, col 24: stats.lastPurchaseAt is a date; use now() - 90d or "2026-01-31"',
      'type_mismatch',
    ],
    [
      'stats.lastPurchaseAt < "yesterday"',
      'line 1, col 24: stats.lastPurchaseAt is a date; use now() - 90d or "2026-01-31"',
      'type_mismatch',
    ],
    [
      'phone = "138"',
      'line 1, col 1: phone is present/absent; "=" does not apply (use is null, is not null)',
      'type_mismatch',
    ],
    [
      'tags = "vip"',
      'line 1, col 1: tags is a tag list; "=" does not apply (use contains, is null, is not null)',
      'type_mismatch',
    ],
    [
      'rfm.gold = 1',
      'line 1, col 12: rfm.gold is true/false; compare it with true or false',
      'type_mismatch',
    ],
    [
      'points in (1, "2")',
      'line 1, col 11: points is a number; "2" is not a number',
      'type_mismatch',
    ],
    [
      'attr.x in (1, "a")',
      'line 1, col 11: attr.x: mixed value types in one condition',
      'type_mismatch',
    ],
    ['attr.x > true', 'line 1, col 10: attr.x: ">" needs numbers or strings', 'type_mismatch'],
    [
      'attr.x = now()',
      'line 1, col 10: attr.x is compared with plain strings, numbers or booleans',
      'type_mismatch',
    ],
    ['attr.a$b = 1', 'line 1, col 7: unexpected character "$"', 'syntax_error'],
  ])('%s', (query, message, code) => {
    let error: RuleError;
    try {
      error = errorOf(query);
    } catch {
      error = (() => {
        try {
          readRule(query);
        } catch (e) {
          return e as RuleError;
        }
        throw new Error('no error');
      })();
    }
    expect(error).toMatchObject({ message, code });
  });

  it('points at JSON paths for trees', () => {
    expect(
      errorOf({
        and: [
          { field: 'city', op: '=', value: 'x' },
          { field: 'stats.foo', op: '>', value: 1 },
        ],
      }).message,
    ).toBe('and[1]: unknown field stats.foo');
  });

  it('maps errors to 422 problems naming the query field', () => {
    try {
      checkRule('tier > 3');
      throw new Error('expected failure');
    } catch (error) {
      expect(error).toMatchObject({
        code: 'validation_failed',
        status: 422,
        options: { errors: [{ field: 'query', code: 'type_mismatch' }] },
      });
    }
    try {
      checkRule(`${'('.repeat(30)}a = 1${')'.repeat(30)}`);
      throw new Error('expected failure');
    } catch (error) {
      expect(error).toMatchObject({ code: 'query_too_complex', status: 422 });
    }
  });

  it('keeps the text and the tree of a valid query', () => {
    expect(checkRule('city = "上海"')).toEqual({
      text: 'city = "上海"',
      tree: { field: 'city', op: '=', value: '上海' },
    });
    expect(checkRule({ field: 'city', op: '=', value: '上海' }).text).toBeNull();
  });
});

describe('RFM score map', () => {
  it('puts every R × F × M cell in exactly one named segment', () => {
    const seen = new Set<string>();
    for (let r = 1; r <= 5; r++)
      for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) seen.add(rfmSegmentOf(r, f, m));
    expect([...seen].sort()).toEqual([...RFM_SEGMENTS].sort());
  });

  it.each([
    [5, 5, 5, 'champions'],
    [3, 4, 4, 'loyal'],
    [5, 2, 3, 'potential_loyalists'],
    [5, 1, 1, 'new'],
    [4, 1, 2, 'promising'],
    [3, 2, 2, 'need_attention'],
    [3, 1, 1, 'about_to_sleep'],
    [1, 5, 5, 'cant_lose_them'],
    [2, 4, 3, 'at_risk'],
    [2, 1, 2, 'hibernating'],
    [1, 1, 1, 'lost'],
  ])('r=%i f=%i m=%i is %s', (r, f, m, segment) => {
    expect(rfmSegmentOf(r, f, m)).toBe(segment);
  });
});
