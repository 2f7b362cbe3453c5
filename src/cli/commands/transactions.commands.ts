import { PointsAccountService } from '../../loyalty/points-account.service';
import { TransactionsService } from '../../transactions/transactions.service';
import { CliCommand } from '../cli-context';

/**
 * `kehu stats check [--tenant slug]`: recomputes customer stats from the transactions and
 * points balances from the ledger, prints every difference, exits 1 if there is any.
 */
export const statsCheck: CliCommand = async (args, context) => {
  const app = await context.app();
  const { AuthRepository } = await import('../../auth/auth.repository');
  const tenants = (await app.get(AuthRepository).listTenants()).filter(
    (t) => !args.flags.tenant || t.slug === args.flags.tenant,
  );
  let differences = 0;
  for (const tenant of tenants) {
    const stats = await app.get(TransactionsService).checkStats(tenant.id);
    const balances = await app.get(PointsAccountService).checkBalances(tenant.id);
    for (const row of stats)
      process.stdout.write(
        `${tenant.slug}\tstats.${row.kind}\t${row.customer_id}\t${row.key ?? ''}\tstored=${row.stored}\texpected=${row.expected}\n`,
      );
    for (const row of balances)
      process.stdout.write(
        `${tenant.slug}\tpoints\t${row.customer_id}\tcached=${row.cached}\tledger=${row.ledger}\tlots=${row.lots}\n`,
      );
    differences += stats.length + balances.length;
  }
  process.stdout.write(`checked ${tenants.length} tenant(s): ${differences} difference(s)\n`);
  if (differences) process.exitCode = 1;
};
