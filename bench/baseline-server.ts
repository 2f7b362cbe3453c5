/** Plain Fastify + pg: the bare baseline a Kehu endpoint is compared against. */
import Fastify, { FastifyInstance } from 'fastify';
import { Pool } from 'pg';

export type BaselineRegister = (fastify: FastifyInstance, pool: Pool) => void;

async function main(): Promise<void> {
  const name = process.argv[2];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { register } = require(`./baselines/${name}`) as { register: BaselineRegister };
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 16 });
  const fastify = Fastify({ logger: false });
  fastify.get('/ready', async () => ({ ok: true }));
  register(fastify, pool);
  await fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  const stop = async () => {
    await fastify.close();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

void main();
