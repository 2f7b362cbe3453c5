/**
 * npm run bench -- <scenario> [more scenarios]
 * Each scenario is bench/<name>.ts exporting a default async function. The runner pins itself
 * (the load generator) to core 0; servers are pinned to core 1 by the harness.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  if (!names.length) {
    process.stderr.write(
      'usage: npm run bench -- <scenario> [...]   e.g. tenant, lookup, tx-single, tx-batch\n',
    );
    process.exit(64);
  }
  if (!process.env.KEHU_BENCH_PINNED && spawnSync('taskset', ['-V']).status === 0) {
    const result = spawnSync(
      'taskset',
      ['-c', '0', process.execPath, __filename, ...process.argv.slice(2)],
      {
        stdio: 'inherit',
        env: { ...process.env, KEHU_BENCH_PINNED: '1' },
      },
    );
    process.exit(result.status ?? 1);
  }
  for (const name of names) {
    const file = join(__dirname, `${name}.js`);
    if (!/^[a-z0-9-]+$/.test(name) || !existsSync(file))
      throw new Error(`no scenario "${name}" (bench/${name}.ts)`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const scenario = require(file) as { default: (args: string[]) => Promise<void> };
    process.stdout.write(`\n### scenario ${name}\n`);
    await scenario.default(process.argv.slice(2));
  }
}

main().catch((error) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
