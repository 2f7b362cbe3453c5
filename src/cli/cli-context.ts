import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createKehuApp } from '../app.factory';
import { bootDatabase, BootedDatabase, loadConfigOrExit } from '../boot';
import type { AppConfig } from '../config/app-config';
import { createDataSource } from '../database/data-source';

/** Parsed command line: positional words and --flags (a flag without a value is "true"). */
export interface CliArgs {
  words: string[];
  flags: Record<string, string>;
}

export function parseArgs(argv: string[]): CliArgs {
  const words: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2);
      if (inline !== undefined) flags[name] = inline;
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags[name] = argv[++i];
      else flags[name] = 'true';
    } else {
      words.push(arg);
    }
  }
  return { words, flags };
}

export class CliUsageError extends Error {}

export function requireFlag(args: CliArgs, name: string): string {
  const value = args.flags[name];
  if (!value || value === 'true') throw new CliUsageError(`--${name} is required`);
  return value;
}

/** Boots the database and, on demand, the Nest application, so commands reuse the services. */
export class CliContext {
  readonly config: AppConfig;
  private database?: BootedDatabase;
  private application?: NestFastifyApplication;

  constructor() {
    this.config = loadConfigOrExit();
  }

  async app(): Promise<NestFastifyApplication> {
    if (!this.application) {
      this.database = await bootDatabase(
        { ...this.config, logLevel: 'silent' },
        {
          applicationName: 'kehu-cli',
          log: (line) => process.stderr.write(`[kehu] ${line}\n`),
        },
      );
      // CLI commands (backup, restore, key rotation…) must not start the background loops.
      this.application = await createKehuApp(
        { ...this.config, logLevel: 'silent', runWorker: false },
        this.database.dataSource,
      );
      await this.application.init();
    }
    return this.application;
  }

  /**
   * The application without a database connection (nothing is queried while it starts):
   * enough to render the OpenAPI document and the GraphQL schema.
   */
  async offlineApp(): Promise<NestFastifyApplication> {
    if (!this.application) {
      const config = { ...this.config, logLevel: 'silent', runWorker: false };
      const dataSource = createDataSource({
        url: 'postgres://offline@127.0.0.1:1/offline',
        poolMax: 1,
        statementTimeoutMs: 0,
      });
      this.application = await createKehuApp(config, dataSource);
      await this.application.init();
    }
    return this.application;
  }

  async close(): Promise<void> {
    if (this.application) await this.application.close();
    if (this.database) await this.database.close();
  }
}

export type CliCommand = (args: CliArgs, context: CliContext) => Promise<void>;
