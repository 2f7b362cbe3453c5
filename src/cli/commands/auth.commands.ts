import { AuthService } from '../../auth/auth.service';
import { ALL_SCOPES, StaffRole } from '../../auth/principal';
import { CliCommand, CliUsageError, requireFlag } from '../cli-context';

export const tenantCreate: CliCommand = async (args, context) => {
  const slug = args.words[2] ?? args.flags.slug;
  if (!slug)
    throw new CliUsageError(
      'usage: kehu tenant create <slug> [--name N] [--currency CNY] [--region CN] [--timezone Asia/Shanghai]',
    );
  const auth = (await context.app()).get(AuthService);
  const tenant = await auth.createTenant({
    slug,
    name: args.flags.name,
    currency: args.flags.currency,
    region: args.flags.region,
    timeZone: args.flags.timezone,
  });
  process.stdout.write(
    `${JSON.stringify({ id: tenant.id, slug: tenant.slug, currency: tenant.currency, timeZone: tenant.time_zone })}\n`,
  );
};

export const tenantList: CliCommand = async (_args, context) => {
  const app = await context.app();
  const { AuthRepository } = await import('../../auth/auth.repository');
  for (const tenant of await app.get(AuthRepository).listTenants()) {
    process.stdout.write(`${tenant.slug}\t${tenant.id}\t${tenant.currency}\t${tenant.time_zone}\n`);
  }
};

export const clientCreate: CliCommand = async (args, context) => {
  const scopesFlag = requireFlag(args, 'scopes');
  const scopes =
    scopesFlag === 'all' ? [...ALL_SCOPES] : scopesFlag.split(/[,\s]+/).filter(Boolean);
  const auth = (await context.app()).get(AuthService);
  const client = await auth.createClient({
    tenantSlug: args.flags.tenant ?? 'demo',
    name: args.flags.name ?? 'cli',
    scopes,
  });
  process.stdout.write(`${JSON.stringify(client)}\n`);
  process.stderr.write('Keep the secret now: it is stored only as a hash.\n');
};

export const staffCreate: CliCommand = async (args, context) => {
  const password = args.flags.password ?? process.env.KEHU_STAFF_PASSWORD;
  if (!password) throw new CliUsageError('--password (or KEHU_STAFF_PASSWORD) is required');
  const auth = (await context.app()).get(AuthService);
  const staff = await auth.createStaff({
    tenantSlug: args.flags.tenant ?? 'demo',
    email: requireFlag(args, 'email'),
    name: args.flags.name ?? requireFlag(args, 'email'),
    role: requireFlag(args, 'role') as StaffRole,
    storeId: args.flags.store ?? null,
    password,
  });
  process.stdout.write(`${JSON.stringify(staff)}\n`);
};
