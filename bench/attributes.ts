import { benchDatabase, timed } from './harness';

const CUSTOMERS = 100_000;
const TENANT = '0192f0c1-7b3a-7c4e-9a51-3d2f8e6b1a20';

/**
 * Storage choice for custom attributes: the JSONB column with a GIN (jsonb_path_ops) index that
 * Kehu uses, against a typed side table (one row per customer × attribute, btree on
 * (tenant, key, value)). Same 100k customers × 5 attributes; times the filters a segment runs.
 */
export default async function attributesScenario(): Promise<void> {
  const database = await benchDatabase('attributes');
  const q = (sql: string, params: unknown[] = []) => database.pool.query(sql, params);
  try {
    await q(
      `INSERT INTO tenants (id, slug, name, currency, region, time_zone) VALUES ($1, 'attr', 'attr', 'CNY', 'CN', 'Asia/Shanghai')`,
      [TENANT],
    );
    const build = await timed(() =>
      q(
        `INSERT INTO customers (tenant_id, id, member_no, attributes)
         SELECT $1, kehu_uuid7(), 'M' || g,
                jsonb_build_object('style', (ARRAY['minimal','classic','street','sporty'])[1 + g % 4],
                                   'hobbies', CASE g % 4 WHEN 0 THEN '["hiking","tea"]'::jsonb WHEN 1 THEN '["tea"]'::jsonb
                                                          WHEN 2 THEN '["photo","hiking"]'::jsonb ELSE '["golf"]'::jsonb END,
                                   'kids', g % 4, 'vip', g % 10 = 0, 'work', 'job ' || (g % 100))
           FROM generate_series(1, $2) g`,
        [TENANT, CUSTOMERS],
      ),
    );
    await q(
      `CREATE TABLE attr_side (tenant_id uuid, customer_id uuid, key text, value_text text, value_num numeric, PRIMARY KEY (tenant_id, customer_id, key, value_text))`,
    );
    await q(`INSERT INTO attr_side
             SELECT c.tenant_id, c.id, kv.key, CASE WHEN jsonb_typeof(kv.value) = 'string' THEN kv.value #>> '{}' ELSE kv.value::text END,
                    CASE WHEN jsonb_typeof(kv.value) = 'number' THEN (kv.value #>> '{}')::numeric END
               FROM customers c, jsonb_each(c.attributes) kv WHERE jsonb_typeof(kv.value) <> 'array'
             UNION ALL
             SELECT c.tenant_id, c.id, 'hobbies', h, NULL FROM customers c, jsonb_array_elements_text(c.attributes->'hobbies') h`);
    await q(`CREATE INDEX attr_side_value_idx ON attr_side (tenant_id, key, value_text)`);
    await q(
      `CREATE INDEX attr_side_num_idx ON attr_side (tenant_id, key, value_num) WHERE value_num IS NOT NULL`,
    );
    await q('ANALYZE customers; ANALYZE attr_side');
    const size = async (relation: string) =>
      (await q(`SELECT pg_size_pretty(pg_total_relation_size($1)) AS s`, [relation])).rows[0]
        .s as string;
    const attributesIndex = (
      await q(`SELECT pg_size_pretty(pg_relation_size('customers_attributes_idx')) AS s`)
    ).rows[0].s as string;

    const cases: [string, string, string][] = [
      [
        'style = minimal',
        `SELECT count(*) FROM customers WHERE tenant_id = $1 AND attributes @> '{"style":"minimal"}'`,
        `SELECT count(*) FROM attr_side WHERE tenant_id = $1 AND key = 'style' AND value_text = 'minimal'`,
      ],
      [
        'hobbies ∋ hiking AND vip',
        `SELECT count(*) FROM customers WHERE tenant_id = $1 AND attributes @> '{"hobbies":["hiking"],"vip":true}'`,
        `SELECT count(*) FROM attr_side a JOIN attr_side b USING (tenant_id, customer_id) WHERE a.tenant_id = $1 AND a.key = 'hobbies' AND a.value_text = 'hiking' AND b.key = 'vip' AND b.value_text = 'true'`,
      ],
      [
        'work = job 7 (1 %)',
        `SELECT count(*) FROM customers WHERE tenant_id = $1 AND attributes @> '{"work":"job 7"}'`,
        `SELECT count(*) FROM attr_side WHERE tenant_id = $1 AND key = 'work' AND value_text = 'job 7'`,
      ],
      [
        'work = job 7, 50 profiles',
        `SELECT id, name, tags, attributes FROM customers WHERE tenant_id = $1 AND attributes @> '{"work":"job 7","style":"street"}' ORDER BY created_at DESC LIMIT 50`,
        `SELECT c.id, c.name, c.tags, c.attributes FROM customers c WHERE c.tenant_id = $1
            AND EXISTS (SELECT 1 FROM attr_side a WHERE a.tenant_id = c.tenant_id AND a.customer_id = c.id AND a.key = 'work' AND a.value_text = 'job 7')
            AND EXISTS (SELECT 1 FROM attr_side a WHERE a.tenant_id = c.tenant_id AND a.customer_id = c.id AND a.key = 'style' AND a.value_text = 'street')
          ORDER BY c.created_at DESC LIMIT 50`,
      ],
      [
        'kids >= 2 (range)',
        `SELECT count(*) FROM customers WHERE tenant_id = $1 AND (attributes->>'kids')::numeric >= 2`,
        `SELECT count(*) FROM attr_side WHERE tenant_id = $1 AND key = 'kids' AND value_num >= 2`,
      ],
    ];
    process.stdout.write(
      `\n== custom attribute storage, ${CUSTOMERS} customers x 5 attributes (built in ${build.seconds.toFixed(1)} s)\n`,
    );
    process.stdout.write(
      `jsonb: customers table ${await size('customers')} incl. GIN ${attributesIndex}; side table ${await size('attr_side')} (${(await q('SELECT count(*) FROM attr_side')).rows[0].count} rows)\n`,
    );
    for (const [label, jsonbSql, sideSql] of cases) {
      const best = async (sql: string) => {
        let min = Infinity;
        for (let i = 0; i < 7; i++)
          min = Math.min(min, (await timed(() => q(sql, [TENANT]))).seconds * 1000);
        return min;
      };
      process.stdout.write(
        `${label.padEnd(28)} jsonb+GIN ${(await best(jsonbSql)).toFixed(1).padStart(7)} ms   side table ${(await best(sideSql)).toFixed(1).padStart(7)} ms\n`,
      );
    }
  } finally {
    await database.close();
  }
}
