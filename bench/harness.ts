/**
 * Benchmark harness: a fresh database, Kehu and a bare Fastify + pg baseline started as child
 * processes on the same core, autocannon load from this process on the other core, and a
 * printed comparison. Scenarios build their own data.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client, Pool } from 'pg';
import { createDataSource } from '../src/database/data-source';
import { startEmbeddedDatabase } from '../src/database/embedded-database';

export const BENCH_CLIENT_ID = 'bench-client';
export const BENCH_CLIENT_SECRET = 'bench-secret-0123456789';
const BENCH_SECRETS = {
  KEHU_JWT_SECRET: 'bench-jwt-secret-that-is-long-enough-0123456789',
  KEHU_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  KEHU_BLIND_INDEX_KEY: Buffer.alloc(32, 9).toString('base64'),
};

/** Core for servers; the load generator keeps core 0 (see run.ts). */
const SERVER_CPU = '1';
const hasTaskset = spawnSync('taskset', ['-V']).status === 0;

/**
 * The embedded PostgreSQL is spawned from this process and so inherits the load generator's
 * core (run.ts pins it to core 0): the database shares one core with autocannon while the
 * server's core may idle. That is the setup every recorded figure used, so it stays the
 * default. `KEHU_BENCH_DB_ALL_CORES=1` gives the postmaster and its children all cores (as
 * `DATABASE_URL`'s server has): tx-batch gained (0.22× → 0.25–0.30×); `tenant` moved within
 * its noise (back-to-back at 13:40: pinned 0.70, 0.85; all cores 0.71, 0.61).
 */
function releaseFromLoadCore(databaseDir: string): void {
  if (!hasTaskset) return;
  const postmaster = readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0];
  const children = spawnSync('pgrep', ['-P', postmaster], { encoding: 'utf8' }).stdout ?? '';
  const all = `0-${cpus().length - 1}`;
  for (const pid of [postmaster, ...children.split('\n').filter(Boolean)])
    spawnSync('taskset', ['-a', '-p', '-c', all, pid]);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface BenchDatabase {
  url: string;
  /** Owner connection pool for building data (bypasses RLS). */
  pool: Pool;
  /** Drops the database, or with `keep` leaves it (and prints its URL) for EXPLAIN work. */
  close(options?: { keep?: boolean }): Promise<void>;
}

/**
 * A fresh, migrated database: on DATABASE_URL's server when set, otherwise on an embedded
 * PostgreSQL started for this run and removed afterwards.
 */
export async function benchDatabase(name: string): Promise<BenchDatabase> {
  let adminUrl = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!adminUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'kehu-bench-pg-'));
    chmodSync(dir, 0o755);
    const embedded = await startEmbeddedDatabase(dir, await freePort(), undefined, false);
    if (process.env.KEHU_BENCH_DB_ALL_CORES === '1') releaseFromLoadCore(join(dir, 'pg'));
    adminUrl = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const database = `kehu_bench_${name.replace(/\W/g, '_')}_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const dataSource = createDataSource({ url: url.toString(), poolMax: 2, statementTimeoutMs: 0 });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
  const pool = new Pool({ connectionString: url.toString(), max: 4 });
  return {
    url: url.toString(),
    pool,
    async close(options = {}) {
      await pool.end();
      if (options.keep && !stopEmbedded) {
        process.stdout.write(`kept database ${url.toString()}\n`);
        return;
      }
      const cleanup = new Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await cleanup.end();
      if (stopEmbedded) await stopEmbedded();
    },
  };
}

export interface RunningServer {
  baseUrl: string;
  /** The server process, for its CPU time (LoadOptions.serverPid). */
  pid?: number;
  stop(): Promise<void>;
}

function pinned(command: string, args: string[]): [string, string[]] {
  return hasTaskset ? ['taskset', ['-c', SERVER_CPU, command, ...args]] : [command, args];
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`server did not come up at ${url}:\n${output()}`);
}

function spawnServer(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; output: () => string } {
  // e.g. KEHU_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the servers
  // (NODE_OPTIONS refuses --cpu-prof).
  const nodeArgs = (process.env.KEHU_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const [command, argv] = pinned(process.execPath, [...nodeArgs, ...args]);
  const child = spawn(command, argv, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
    });
}

export interface KehuServer extends RunningServer {
  token: string;
  tenantId: string;
  /** A token with the given scopes (a new client in the demo tenant). */
  tokenFor?: never;
}

/** Kehu from dist/, with the bootstrap tenant `demo` and a known all-scopes client. */
export async function startKehu(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<KehuServer> {
  const port = await freePort();
  const { child, output } = spawnServer([join(__dirname, '..', 'src', 'main.js')], {
    ...BENCH_SECRETS,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    KEHU_LOG_LEVEL: 'warn',
    KEHU_RATE_LIMIT_PER_MINUTE: '0',
    KEHU_DB_POOL_MAX: '16',
    KEHU_BOOTSTRAP_CLIENT_ID: BENCH_CLIENT_ID,
    KEHU_BOOTSTRAP_CLIENT_SECRET: BENCH_CLIENT_SECRET,
    ...env,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${baseUrl}/health/ready`, child, output);
  const response = await fetch(`${baseUrl}/v1/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: BENCH_CLIENT_ID,
      client_secret: BENCH_CLIENT_SECRET,
    }),
  });
  const { access_token } = (await response.json()) as { access_token: string };
  const claims = JSON.parse(Buffer.from(access_token.split('.')[1], 'base64url').toString()) as {
    tid: string;
  };
  return {
    baseUrl,
    pid: child.pid,
    token: access_token,
    tenantId: claims.tid,
    stop: stopper(child),
  };
}

/**
 * The bare baseline: plain Fastify + pg running `bench/baselines/<name>.js`, which exports
 * `register(fastify, pool)` with the same SQL the Kehu endpoint runs.
 */
export async function startBaseline(
  databaseUrl: string,
  name: string,
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const port = await freePort();
  const { child, output } = spawnServer([join(__dirname, 'baseline-server.js'), name], {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    ...env,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilUp(`${baseUrl}/ready`, child, output);
  return { baseUrl, pid: child.pid, stop: stopper(child) };
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH';
  headers?: Record<string, string>;
  body?: string;
  /** Varying requests, cycled: e.g. a different phone per request. */
  requests?: Array<{
    path?: string;
    method?: string;
    body?: string;
    headers?: Record<string, string>;
  }>;
  connections?: number;
  durationSeconds?: number;
  warmupSeconds?: number;
  /**
   * The server under load: its CPU time per request is reported. Unlike req/s, it barely moves
   * when other work shares the machine, so it is the steadier figure for comparing two servers.
   */
  serverPid?: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
  /** Server CPU (user + system) per completed request, when serverPid was given. */
  cpuUsPerRequest?: number;
}

/** utime + stime of a process in seconds, from /proc (Linux); undefined elsewhere. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

function cannon(options: LoadOptions, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: options.url,
        method: options.method ?? 'GET',
        headers: options.headers,
        body: options.body,
        requests: options.requests as autocannon.Request[] | undefined,
        connections: options.connections ?? 32,
        duration: seconds,
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          rps: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          errors: result.errors + result.timeouts,
          non2xx: result.non2xx,
          total: result.requests.total,
        });
      },
    );
  });
}

/** Warm up (JIT, pools, caches), then measure. */
export async function measure(options: LoadOptions): Promise<LoadResult> {
  if ((options.warmupSeconds ?? 3) > 0) await cannon(options, options.warmupSeconds ?? 3);
  const cpuBefore = cpuSeconds(options.serverPid);
  const result = await cannon(options, options.durationSeconds ?? 10);
  const cpuAfter = cpuSeconds(options.serverPid);
  if (cpuBefore !== undefined && cpuAfter !== undefined && result.total > 0)
    result.cpuUsPerRequest = ((cpuAfter - cpuBefore) * 1e6) / result.total;
  return result;
}

export interface Target {
  /** Minimum Kehu/baseline throughput ratio. */
  minRatio?: number;
  /** Maximum Kehu p99 in ms. */
  maxP99Ms?: number;
  /** Minimum Kehu requests (or items) per second. */
  minRps?: number;
}

/** Prints both runs, the ratio and whether the targets hold; returns the ratio. */
export function printComparison(
  title: string,
  kehu: LoadResult,
  baseline: LoadResult,
  target: Target = {},
): number {
  const ratio = kehu.rps / baseline.rps;
  const row = (name: string, r: LoadResult) =>
    `${name.padEnd(10)} ${r.rps.toFixed(0).padStart(9)} req/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99
      .toFixed(2)
      .padStart(7)} ms   non-2xx ${r.non2xx}  errors ${r.errors}${
      r.cpuUsPerRequest !== undefined ? `   server CPU ${r.cpuUsPerRequest.toFixed(0)} µs/req` : ''
    }`;
  const checks: string[] = [];
  if (target.minRatio !== undefined)
    checks.push(`ratio ≥ ${target.minRatio}: ${ratio >= target.minRatio ? 'PASS' : 'FAIL'}`);
  if (target.maxP99Ms !== undefined)
    checks.push(`p99 ≤ ${target.maxP99Ms} ms: ${kehu.p99 <= target.maxP99Ms ? 'PASS' : 'FAIL'}`);
  if (target.minRps !== undefined)
    checks.push(`≥ ${target.minRps}/s: ${kehu.rps >= target.minRps ? 'PASS' : 'FAIL'}`);
  process.stdout.write(
    `\n== ${title}\n${row('kehu', kehu)}\n${row('baseline', baseline)}\nratio kehu/baseline = ${ratio.toFixed(3)}` +
      (checks.length ? `   (${checks.join(', ')})` : '') +
      (kehu.cpuUsPerRequest && baseline.cpuUsPerRequest
        ? `\nCPU-time ratio baseline/kehu = ${(baseline.cpuUsPerRequest / kehu.cpuUsPerRequest).toFixed(3)} (the throughput ratio one core each would give, whatever else runs)`
        : '') +
      '\n',
  );
  return ratio;
}

/** For scenarios that time a whole operation rather than HTTP load. */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const result = await work();
  return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}
