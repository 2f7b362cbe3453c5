import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { isUuid, uuid7 } from '../common/uuid7';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { OutboxService } from '../events/outbox.service';
import { SegmentRefreshJobModel } from './dto/segment.model';
import { SegmentMembershipRepository } from './segment-membership.repository';
import { toRefreshJobModel } from './segments.mapper';
import { SegmentsRepository } from './segments.repository';
import { SegmentsService } from './segments.service';

export interface RefreshResult {
  members: number;
  entered: number;
  exited: number;
}

/**
 * Refreshes materialised membership. The HTTP call only records a queued job (202); the work
 * runs in-process right after, in its own transaction, so the diff, the membership and the
 * segment.entered / segment.exited events commit together or not at all.
 */
@Injectable()
export class SegmentRefreshService implements OnApplicationShutdown {
  private readonly logger = new Logger(SegmentRefreshService.name);
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly database: Database,
    private readonly segmentsService: SegmentsService,
    private readonly segments: SegmentsRepository,
    private readonly membership: SegmentMembershipRepository,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  async request(principal: Principal, segmentId: string): Promise<SegmentRefreshJobModel> {
    const job = await this.database.withTenant(principal.tenantId, async (tx) => {
      await this.segmentsService.load(tx, segmentId);
      return this.segments.insertJob(tx, {
        id: uuid7(),
        segmentId,
        requestedBy: principal.subject,
        now: this.clock.now(),
      });
    });
    const work = this.runJob(principal.tenantId, job.id).finally(() => this.running.delete(work));
    this.running.add(work);
    return toRefreshJobModel(job);
  }

  async job(
    principal: Principal,
    segmentId: string,
    jobId: string,
  ): Promise<SegmentRefreshJobModel> {
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const job =
        isUuid(segmentId) && isUuid(jobId)
          ? await this.segments.findJob(tx, segmentId, jobId)
          : undefined;
      if (!job) throw DomainError.notFound('Refresh job');
      return toRefreshJobModel(job);
    });
  }

  /** Refresh now, inside the caller's transaction (nightly job, tests, benchmarks). */
  async refreshInTx(tx: Tx, segmentId: string): Promise<RefreshResult> {
    const segment = await this.segmentsService.load(tx, segmentId, { lock: true });
    const { compiled, params } = await this.segmentsService.compile(tx, {
      text: segment.query_text,
      tree: segment.query_tree,
    });
    const now = this.clock.now();
    const result = await this.membership.refresh(
      tx,
      segmentId,
      compiled,
      params,
      now,
      async (kind, customers) => {
        await this.outbox.recordForCustomers(
          tx,
          {
            type: `segment.${kind}`,
            subjectType: 'segment',
            subjectId: segmentId,
            payload: { segmentId, segmentName: segment.name, builtIn: segment.builtin_key },
          },
          customers,
        );
      },
    );
    await this.segments.markRefreshed(tx, segmentId, result.members, now);
    return result;
  }

  /** Waits for in-flight refreshes so shutdown never cuts a transaction half way. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  /** Test and CLI helper: resolves when every refresh started so far has finished. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  private async runJob(tenantId: string, jobId: string): Promise<void> {
    // Yield first so the 202 answer leaves before the heavy statement starts.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      // Mark running in its own short transaction so pollers see progress.
      const job = await this.database.withTenant(tenantId, (tx) =>
        this.segments.startJob(tx, jobId, this.clock.now()),
      );
      if (!job) return;
      await this.database.withTenant(tenantId, async (tx) => {
        const result = await this.refreshInTx(tx, job.segment_id);
        await this.segments.finishJob(tx, jobId, {
          status: 'succeeded',
          memberCount: result.members,
          entered: result.entered,
          exited: result.exited,
          now: this.clock.now(),
        });
      });
    } catch (error) {
      this.logger.error(
        `segment refresh job ${jobId} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      const message =
        error instanceof DomainError ? error.detail : 'The refresh failed; see the server log.';
      await this.database
        .withTenant(tenantId, (tx) =>
          this.segments.finishJob(tx, jobId, {
            status: 'failed',
            error: message,
            now: this.clock.now(),
          }),
        )
        .catch(() => undefined);
    }
  }
}
