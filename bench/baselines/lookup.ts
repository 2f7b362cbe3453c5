import { createHmac } from 'node:crypto';
import type { BaselineRegister } from '../baseline-server';

/**
 * The same indexed query GET /v1/customers/lookup?phone= runs (identity blind index → customer),
 * with only what any handler needs around it: the HMAC of the phone and JSON out. No auth, no
 * tenant transaction, no decryption, no phone parsing beyond prefixing +86.
 */
export const register: BaselineRegister = (fastify, pool) => {
  const key = Buffer.from(process.env.BENCH_BLIND_INDEX_KEY ?? '', 'base64');
  fastify.get<{ Params: { tenantId: string }; Querystring: { phone: string } }>(
    '/lookup/:tenantId',
    async (request, reply) => {
      const e164 = `+86${request.query.phone}`;
      const bidx = createHmac('sha256', key).update(`phone\u0000${e164}`).digest('base64url');
      const { rows } = await pool.query(
        `SELECT c.id, c.member_no, c.status, c.name, c.gender, c.phone_enc, c.email_enc, c.tier_code, c.tier_since, c.points_balance,
              c.completeness, c.tags, c.attributes, c.version, c.created_at, c.updated_at
         FROM customer_identities i
         JOIN customers c ON c.tenant_id = i.tenant_id AND c.id = i.customer_id
        WHERE i.tenant_id = $1 AND i.type = 'phone' AND i.namespace = '' AND i.value_bidx = $2`,
        [request.params.tenantId, bidx],
      );
      if (!rows[0]) return reply.status(404).send({ code: 'not_found' });
      const row = rows[0];
      return {
        id: row.id,
        memberNo: row.member_no,
        status: row.status,
        name: row.name,
        gender: row.gender,
        tier: row.tier_code ? { code: row.tier_code, since: row.tier_since } : null,
        points: Number(row.points_balance),
        completeness: row.completeness,
        tags: row.tags,
        attributes: row.attributes,
        version: row.version,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      };
    },
  );
};
