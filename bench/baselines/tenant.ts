import type { BaselineRegister } from '../baseline-server';

/** The same query GET /v1/tenant runs, without auth or framework. */
export const register: BaselineRegister = (fastify, pool) => {
  fastify.get<{ Params: { id: string } }>('/tenant/:id', async (request) => {
    const { rows } = await pool.query(
      'SELECT id, slug, name, currency, region, time_zone, settings, created_at FROM tenants WHERE id = $1',
      [request.params.id],
    );
    const row = rows[0];
    return {
      id: row.id,
      slug: row.slug,
      name: row.name,
      currency: row.currency,
      region: row.region,
      timeZone: row.time_zone,
      createdAt: row.created_at,
    };
  });
};
