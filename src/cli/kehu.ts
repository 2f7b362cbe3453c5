import 'reflect-metadata';
import { clientCreate, staffCreate, tenantCreate, tenantList } from './commands/auth.commands';
import { contract } from './commands/contract.commands';
import { statsCheck } from './commands/transactions.commands';
import { importCommand } from './commands/import.commands';
import { backup, keysRotate, keysStatus, restore } from './commands/privacy.commands';
import { CliCommand, CliContext, CliUsageError, parseArgs } from './cli-context';

/** `npm run kehu -- <group> <action> ...`; each feature adds its commands here. */
const COMMANDS: Record<string, CliCommand> = {
  'tenant create': tenantCreate,
  'tenant list': tenantList,
  'client create': clientCreate,
  'staff create': staffCreate,
  'contract write': contract,
  'contract check': contract,
  'stats check': statsCheck,
  'import customers': importCommand,
  'import transactions': importCommand,
  'keys rotate': keysRotate,
  'keys status': keysStatus,
  backup,
  restore,
  'migrate run': async (_args, context) => {
    await context.app();
    process.stdout.write('migrations are up to date\n');
  },
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // Two-word commands (`keys rotate`) first, then one-word ones (`backup <file>`).
  const twoWords = args.words.slice(0, 2).join(' ');
  const name = COMMANDS[twoWords] ? twoWords : (args.words[0] ?? '');
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`usage: kehu <command>\n  ${Object.keys(COMMANDS).join('\n  ')}\n`);
    process.exit(64);
  }
  const context = new CliContext();
  try {
    await command(args, context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`kehu ${name}: ${message}\n`);
    process.exitCode = error instanceof CliUsageError ? 64 : 1;
  } finally {
    await context.close();
  }
}

void main();
