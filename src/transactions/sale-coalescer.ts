/** One member's outcome of a group run: its own value or its own error. */
export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

interface Waiting<I, O> {
  input: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for single sales. PostgreSQL spends a fixed ~2 ms of CPU on a posting's
 * transaction (BEGIN, program read, look-ups, lock, write, COMMIT) whatever its size, so one
 * transaction per sale caps a tenant's POS traffic at what one core does with that overhead.
 * Per key (tenant + actor), a sale that finds fewer than `maxInFlight` groups in flight runs
 * at once as a group of one (no timer, no added latency at low load); sales arriving meanwhile
 * wait and then run together, up to `maxGroup`, as one `run` call (one database transaction),
 * as soon as a group in flight finishes. Each member gets its own value or error. A group
 * whose run fails as a whole (a bug, a database error) is run again member by member, so only
 * the culprit sees the error. `run` resolves only after its transaction committed, so nobody
 * is answered before their sale is durable.
 */
export class SaleCoalescer<I, O> {
  private readonly lanes = new Map<string, { waiting: Waiting<I, O>[]; running: number }>();

  constructor(
    /** Runs a group; returns one outcome per input, in order. */
    private readonly run: (inputs: I[]) => Promise<Settled<O>[]>,
    private readonly maxGroup = 64,
    /** Groups of one key in flight at once (while one is in the database, the next is built). */
    private readonly maxInFlight = 1,
  ) {}

  submit(key: string, input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      let lane = this.lanes.get(key);
      if (!lane) {
        lane = { waiting: [], running: 0 };
        this.lanes.set(key, lane);
      }
      lane.waiting.push({ input, resolve, reject });
      if (lane.running < this.maxInFlight) void this.drain(key, lane);
    });
  }

  /** Runs the lane's waiting sales, a group at a time, until none are left. */
  private async drain(
    key: string,
    lane: { waiting: Waiting<I, O>[]; running: number },
  ): Promise<void> {
    lane.running++;
    for (
      let group = lane.waiting.splice(0, this.maxGroup);
      group.length;
      group = lane.waiting.splice(0, this.maxGroup)
    )
      await this.runGroup(group);
    if (!--lane.running) this.lanes.delete(key);
  }

  private async runGroup(group: Waiting<I, O>[]): Promise<void> {
    let outcomes: Settled<O>[];
    try {
      outcomes = await this.run(group.map((w) => w.input));
    } catch (error) {
      if (group.length === 1) {
        group[0].reject(error);
        return;
      }
      // One culprit must not fail the others: each member alone, as if it had come alone.
      await Promise.all(group.map((w) => this.runGroup([w])));
      return;
    }
    group.forEach((w, i) => {
      const outcome = outcomes[i];
      if (!outcome) w.reject(new Error('sale coalescer: no outcome for a group member'));
      else if (outcome.ok) w.resolve(outcome.value);
      else w.reject(outcome.error);
    });
  }
}
