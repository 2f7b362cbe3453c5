import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { uuid7 } from '../common/uuid7';
import type { Tx } from '../database/tx';
import { WriteBatch } from '../database/write-batch';
import { OutboxEvent, OutboxService } from '../events/outbox.service';
import { LoyaltyProgramService, ProgramContext } from './loyalty-program.service';
import { baseTier } from './loyalty-program';
import { LedgerInsert, LotInsert, LoyaltyRepository } from './loyalty.repository';
import {
  consumeLots,
  expiryFor,
  newLotRemaining,
  pointsForSale,
  pointsToReverse,
  qualifiedTier,
} from './points-math';
import {
  CustomerPointsState,
  initialState,
  localMonth,
  PointsPosting,
  PostingResult,
} from './points-posting';

/** Net spend over the last 12 months per customer; supplied by the transactions feature. */
export type SpendSource = (
  tx: Tx,
  customerIds: string[],
  now: Date,
) => Promise<Map<string, bigint>>;

/** The same spend as a SELECT of `customer_id, spent` over `$1` (tenant), `idsRef` and `nowRef`. */
export type SpendSql = (idsRef: string, nowRef: string) => string;

export interface AwardPointsInput {
  customerId: string;
  points: number;
  reason: string;
  /** Who grants them, e.g. `survey`; with externalId makes the award idempotent. */
  source: string;
  externalId: string;
  actor?: string;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * The points ledger: every change is an appended ledger row, the customer row's balance and
 * tier are updated in the same transaction, and lots record what can still expire (FIFO).
 * All writers lock the customer rows first, in id order.
 */
@Injectable()
export class LoyaltyService {
  private spendSource: SpendSource = async () => new Map();
  private spendSql: SpendSql = () =>
    `SELECT NULL::uuid AS customer_id, 0::bigint AS spent WHERE false`;

  constructor(
    private readonly repository: LoyaltyRepository,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly programs: LoyaltyProgramService,
  ) {}

  registerSpendSource(source: SpendSource, sql: SpendSql): void {
    this.spendSource = source;
    this.spendSql = sql;
  }

  async spend12m(tx: Tx, customerIds: string[], now: Date): Promise<Map<string, bigint>> {
    return this.spendSource(tx, customerIds, now);
  }

  /**
   * Applies sales and returns to their customers' points, in order: earns (with the tier the
   * customer has at that moment), proportional reversals, upgrades on the qualifying sale.
   * Call with the customers not yet locked; they are locked here.
   */
  async post(
    tx: Tx,
    context: ProgramContext,
    postings: PointsPosting[],
    writes?: WriteBatch,
  ): Promise<PostingResult[]> {
    return (await this.postUnlessBusy(tx, context, postings, writes, false)).results;
  }

  /**
   * `post` for the customers no other transaction holds right now; the postings of the others
   * are left out and their customers listed in `busy` (nothing is written for them), for the
   * caller to post in a transaction of their own once this one has committed. A batch that
   * waited instead held its own locks meanwhile, so two concurrent batches sharing a customer
   * or two ran one after the other (bench `tx-batch`: the lock statement averaged 60–85 ms of
   * waiting, with random members ~1 shared customer per pair of 500-receipt batches).
   */
  async postAvailable(
    tx: Tx,
    context: ProgramContext,
    postings: PointsPosting[],
    writes: WriteBatch,
  ): Promise<{ results: PostingResult[]; busy: Set<string> }> {
    return this.postUnlessBusy(tx, context, postings, writes, true);
  }

  private async postUnlessBusy(
    tx: Tx,
    context: ProgramContext,
    requested: PointsPosting[],
    writes: WriteBatch | undefined,
    skipBusy: boolean,
  ): Promise<{ results: PostingResult[]; busy: Set<string> }> {
    const busy = new Set<string>();
    if (!requested.length) return { results: [], busy };
    const { program } = context;
    const now = this.clock.now();
    const since = new Date(now.getTime() - YEAR_MS);
    const ids = [...new Set(requested.map((p) => p.customerId))];
    // Lock and read the 12-month totals in one round trip; read them again only when another
    // writer committed between that statement's snapshot and our lock.
    const rows = await this.repository.lockCustomersWithTotals(
      tx,
      ids,
      since,
      now,
      this.spendSql,
      skipBusy,
    );
    if (skipBusy && rows.length < ids.length) {
      const locked = new Set(rows.map((r) => r.id));
      for (const id of ids) if (!locked.has(id)) busy.add(id);
    }
    const postings = busy.size ? requested.filter((p) => !busy.has(p.customerId)) : requested;
    const spend = new Map(rows.map((r) => [r.id, BigInt(r.spend12m)]));
    const points12m = new Map(rows.map((r) => [r.id, Number(r.points12m)]));
    // Only the customers another writer changed need the re-read (with concurrent batches a
    // few of 500; re-reading all of them cost more than the lock statement).
    const stale = rows.filter((r) => !r.fresh).map((r) => r.id);
    if (stale.length) {
      const staleSpend = await this.spendSource(tx, stale, now);
      const stalePoints = await this.repository.pointsEarnedSince(tx, stale, since);
      for (const id of stale) {
        spend.set(id, staleSpend.get(id) ?? 0n);
        points12m.set(id, stalePoints.get(id) ?? 0);
      }
    }
    const withReturns = [...new Set(postings.filter((p) => p.reversal).map((p) => p.customerId))];
    const lots = await this.repository.openLots(tx, withReturns);
    const states = new Map<string, CustomerPointsState>(
      rows.map((row) => [
        row.id,
        initialState(program, row, spend.get(row.id) ?? 0n, points12m.get(row.id) ?? 0, now),
      ]),
    );
    const ledger: LedgerInsert[] = [];
    const newLots: LotInsert[] = [];
    const lotUpdates: { id: string; remaining: number }[] = [];
    const events: OutboxEvent[] = [];
    const results: PostingResult[] = [];
    // A sale and its return may arrive in the same set: the return reverses what the sale just earned.
    const earnedHere = new Map<string, number>();
    // Every lot of the set is earned now, so all expire together.
    const expiresAt = expiryFor(now, program.expiryMonths);

    for (const posting of postings) {
      const state = states.get(posting.customerId);
      if (!state) throw new Error(`customer ${posting.customerId} vanished while posting`);
      state.touched = true;
      const previousTier = state.tier.code;
      let points = 0;
      if (posting.type === 'sale') {
        points = pointsForSale(program, posting.lines, {
          occurredAt: posting.occurredAt,
          tier: state.tier,
          birthMonth: state.birthMonth,
          localMonth: localMonth(posting.occurredAt, context.timeZone),
          currencyExponent: posting.currencyExponent,
        });
        earnedHere.set(posting.transactionId, points);
        if (points > 0) {
          ledger.push(this.ledgerRow(posting, 'earn', points, 'purchase', now));
          const lot = {
            id: uuid7(),
            customerId: posting.customerId,
            transactionId: posting.transactionId,
            points,
            remaining: newLotRemaining(state.balance, points),
            earnedAt: now,
            expiresAt,
          };
          newLots.push(lot);
          lots.get(posting.customerId)?.push({ ...lot, expiresAt: lot.expiresAt });
          events.push({
            type: 'points.earned',
            customerId: posting.customerId,
            subjectType: 'transaction',
            subjectId: posting.transactionId,
            payload: {
              customerId: posting.customerId,
              transactionId: posting.transactionId,
              points,
              balance: state.balance + points,
            },
          });
        }
      } else if (posting.reversal) {
        const r = posting.reversal;
        const salePoints = earnedHere.get(r.saleTransactionId) ?? r.salePoints;
        const reversed = pointsToReverse(
          salePoints,
          r.saleTotalMinor,
          r.returnedBeforeMinor,
          r.returnedNowMinor,
        );
        if (reversed > 0) {
          points = -reversed;
          ledger.push(this.ledgerRow(posting, 'reverse', points, 'return', now));
          // A shortfall means the points were already spent: the balance goes negative (see README).
          lotUpdates.push(
            ...consumeLots(lots.get(posting.customerId) ?? [], reversed, r.saleTransactionId)
              .updates,
          );
        }
      }
      state.balance += points;
      state.points12m += points;
      if (posting.occurredAt.getTime() > now.getTime() - YEAR_MS)
        state.spend12m += posting.netSpendMinor;
      // Upgrades happen on the sale that qualifies; downgrades only at the tier review.
      const qualified = qualifiedTier(program, state.spend12m, state.points12m);
      let tierChanged = false;
      if (qualified.rank > state.tier.rank) {
        state.tier = qualified;
        state.tierSince = now;
        tierChanged = true;
        events.push({
          type: 'tier.changed',
          customerId: posting.customerId,
          payload: {
            customerId: posting.customerId,
            from: previousTier,
            to: qualified.code,
            direction: 'up',
            transactionId: posting.transactionId,
          },
        });
      }
      results.push({
        transactionId: posting.transactionId,
        customerId: posting.customerId,
        points,
        pointsBalance: state.balance,
        tier: state.tier.code,
        tierChanged,
        previousTier,
      });
    }

    // A lot earned in this same set is inserted with what is left of it (the insert and an
    // update of the new row cannot share one statement).
    // Only returns update lots: a set of sales builds no map of its hundreds of new lots.
    const fresh = new Map(lotUpdates.length ? newLots.map((lot) => [lot.id, lot]) : []);
    const storedLotUpdates = lotUpdates.filter((u) => {
      const lot = fresh.get(u.id);
      if (lot) lot.remaining = u.remaining;
      return !lot;
    });
    const batch = writes ?? new WriteBatch();
    batch
      .add(this.repository.insertLedgerPart(ledger))
      .add(this.repository.insertLotsPart(newLots))
      .add(this.repository.updateLotsPart(storedLotUpdates))
      .add(
        this.repository.updateCustomerCachesPart(
          [...states.entries()]
            .filter(([, s]) => s.touched)
            .map(([id, s]) => ({
              id,
              balance: s.balance,
              tierCode: s.tier.code,
              tierSince: s.hadTier || s.tier.rank > 0 ? s.tierSince : now,
            })),
        ),
      )
      .add(this.outbox.recordManyPart(events, 'loyalty_events'));
    if (!writes) await batch.run(tx);
    return { results, busy };
  }

  private ledgerRow(
    posting: PointsPosting,
    kind: 'earn' | 'reverse',
    points: number,
    reason: string,
    now: Date,
  ): LedgerInsert {
    return {
      id: uuid7(),
      customerId: posting.customerId,
      kind,
      points,
      reason,
      source: posting.source,
      externalId: null,
      actor: posting.actor,
      transactionId: posting.transactionId,
      createdAt: now,
    };
  }

  /**
   * Grants points outside a purchase (e.g. a survey reward), in the caller's transaction.
   * Idempotent by (source, externalId): a second call returns the first entry's id.
   */
  async awardPoints(
    tx: Tx,
    input: AwardPointsInput,
  ): Promise<{ ledgerId: string; pointsBalance: number; replayed: boolean }> {
    if (!Number.isInteger(input.points) || input.points <= 0)
      throw new Error('awardPoints: points must be a positive integer');
    const [row] = await this.repository.lockCustomers(tx, [input.customerId]);
    if (!row) throw new Error(`awardPoints: customer ${input.customerId} not found`);
    const existing = await this.repository.findLedgerByExternal(
      tx,
      'earn',
      input.source,
      input.externalId,
    );
    if (existing)
      return { ledgerId: existing.id, pointsBalance: Number(row.points_balance), replayed: true };
    const context = await this.programs.load(tx);
    const now = this.clock.now();
    const balance = Number(row.points_balance);
    const ledgerId = uuid7();
    await this.repository.insertLedger(tx, [
      {
        id: ledgerId,
        customerId: input.customerId,
        kind: 'earn',
        points: input.points,
        reason: input.reason,
        source: input.source,
        externalId: input.externalId,
        actor: input.actor ?? input.source,
        transactionId: null,
        createdAt: now,
      },
    ]);
    await this.repository.insertLots(tx, [
      {
        id: uuid7(),
        customerId: input.customerId,
        transactionId: null,
        points: input.points,
        remaining: newLotRemaining(balance, input.points),
        earnedAt: now,
        expiresAt: expiryFor(now, context.program.expiryMonths),
      },
    ]);
    await this.repository.updateCustomerCaches(tx, [
      {
        id: input.customerId,
        balance: balance + input.points,
        tierCode: row.tier_code ?? baseTier(context.program).code,
        tierSince: row.tier_since ?? now,
      },
    ]);
    await this.outbox.record(tx, {
      type: 'points.earned',
      customerId: input.customerId,
      payload: {
        customerId: input.customerId,
        points: input.points,
        balance: balance + input.points,
        reason: input.reason,
        source: input.source,
      },
    });
    return { ledgerId, pointsBalance: balance + input.points, replayed: false };
  }
}
