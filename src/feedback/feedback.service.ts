import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError, FieldError } from '../common/errors/domain-error';
import { decodeCursor, Page, pageLimit, toPage } from '../common/pagination';
import { isUuid, uuid7 } from '../common/uuid7';
import { canSee, restrictedStore } from '../customers/customer-access';
import { CustomerExtensions } from '../customers/customer-extensions';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { JobRegistry } from '../events/job-registry';
import { OutboxService } from '../events/outbox.service';
import {
  AssignFeedbackInput,
  CompleteFeedbackFollowUpInput,
  CreateFeedbackInput,
  FeedbackNoteInput,
  ListFeedbackQuery,
  TransitionFeedbackInput,
} from './dto/feedback.input';
import { FeedbackModel, FeedbackNoteModel } from './dto/feedback.model';
import {
  allowedTransitions,
  canTransition,
  dueAt,
  FeedbackSeverity,
  FeedbackStatus,
} from './feedback-workflow';
import { actorOf } from '../auth/principal';
import { FeedbackLinks } from './feedback-links';
import { toFeedbackModel, toNoteModel } from './feedback.mapper';
import { FeedbackRepository, FeedbackRow } from './feedback.repository';

export const OVERDUE_JOB = 'feedback.overdue';

@Injectable()
export class FeedbackService implements OnModuleInit {
  constructor(
    private readonly database: Database,
    private readonly repository: FeedbackRepository,
    private readonly links: FeedbackLinks,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly jobs: JobRegistry,
    private readonly extensions: CustomerExtensions,
  ) {}

  onModuleInit(): void {
    // Hourly precision is not needed: SLAs are hours to days, and the list's overdue filter is live.
    this.jobs.register({
      name: OVERDUE_JOB,
      at: '00:00',
      run: ({ tenantId, now }) => this.reportOverdue(tenantId, now).then(() => undefined),
    });
    this.extensions.registerMergeHandler('feedback', (tx, survivorId, sourceIds) =>
      this.repository.repointCustomer(tx, survivorId, sourceIds),
    );
    this.extensions.registerEraseHandler('feedback', (tx, customerId) =>
      this.repository.eraseCustomer(tx, customerId),
    );
  }

  async create(principal: Principal, input: CreateFeedbackInput): Promise<FeedbackModel> {
    if (!canSee(principal, input.storeId)) {
      throw new DomainError('forbidden', 'Store staff record feedback for their own store only.');
    }
    const now = this.clock.now();
    return this.database.withTenant(principal.tenantId, async (tx) => {
      let customerId = input.customerId
        ? await this.links.requireCustomer(tx, input.customerId)
        : null;
      if (input.transactionId)
        customerId = await this.links.requireTransactionOfCustomer(
          tx,
          input.transactionId,
          customerId,
        );
      const { settings } = await this.repository.tenantSettings(tx);
      const severity = (input.severity ?? 'normal') as FeedbackSeverity;
      const row = await this.repository.insert(tx, {
        id: uuid7(),
        customer_id: customerId,
        type: input.type,
        channel: input.channel,
        severity,
        status: 'received',
        subject: input.subject,
        body: input.body,
        store_id: input.storeId,
        transaction_id: input.transactionId ?? null,
        due_at: dueAt(now, severity, settings),
        created_by: actorOf(principal),
        created_at: now,
        updated_at: now,
      });
      await this.outbox.record(tx, {
        type: 'feedback.created',
        customerId: row.customer_id,
        subjectType: 'feedback',
        subjectId: row.id,
        payload: {
          id: row.id,
          type: row.type,
          channel: row.channel,
          severity: row.severity,
          storeId: row.store_id,
          dueAt: row.due_at.toISOString(),
        },
      });
      return toFeedbackModel(row, now, []);
    });
  }

  async get(principal: Principal, id: string): Promise<FeedbackModel> {
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const row = await this.require(tx, principal, id);
      return toFeedbackModel(row, this.clock.now(), await this.repository.listTransitions(tx, id));
    });
  }

  async list(principal: Principal, query: ListFeedbackQuery): Promise<Page<FeedbackModel>> {
    const keyset = decodeCursor(query.cursor);
    const limit = pageLimit(query);
    const now = this.clock.now();
    // Store staff see their own store's feedback only (the same rule as for customers).
    const store = restrictedStore(principal);
    if (
      store !== undefined &&
      (store === null || (query.storeId !== undefined && query.storeId !== store))
    )
      return { items: [], nextCursor: null };
    const filter = store ? { ...query, storeId: store } : query;
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const rows = await this.repository.list(tx, filter, now, keyset, limit);
      return toPage(rows, limit, (row) => toFeedbackModel(row, now));
    });
  }

  /**
   * One step of the workflow. The update is conditional on the status and version that were
   * read, so of two concurrent transitions one commits and the other gets a 409.
   */
  async transition(
    principal: Principal,
    id: string,
    input: TransitionFeedbackInput,
  ): Promise<FeedbackModel> {
    const now = this.clock.now();
    const to = input.to as FeedbackStatus;
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const current = await this.require(tx, principal, id);
      this.assertTransition(current.status, to);
      if (to === 'resolved') {
        const errors: FieldError[] = [];
        if (!input.resolution?.trim())
          errors.push({
            field: 'resolution',
            code: 'required',
            message: 'resolution is required to resolve',
          });
        if (!input.category?.trim())
          errors.push({
            field: 'category',
            code: 'required',
            message: 'category is required to resolve',
          });
        if (errors.length) throw DomainError.validation(errors);
      }
      const row = await this.repository.applyTransition(tx, {
        id,
        from: current.status,
        version: current.version,
        to,
        now,
        resolution: input.resolution,
        category: input.category,
      });
      if (!row) {
        const latest = await this.require(tx, principal, id);
        this.assertTransition(latest.status, to);
        throw new DomainError(
          'conflict',
          'The feedback changed while this transition was applied; read it again and retry.',
          {
            extensions: { currentStatus: latest.status, version: latest.version },
          },
        );
      }
      await this.repository.insertTransition(tx, {
        id: uuid7(),
        feedback_id: id,
        from_status: current.status,
        to_status: to,
        actor: actorOf(principal),
        note: input.note ?? null,
        created_at: now,
      });
      if (to === 'resolved') await this.onResolved(tx, row, now);
      return toFeedbackModel(row, now, await this.repository.listTransitions(tx, id));
    });
  }

  /**
   * Records the outcome of the satisfaction call-back of a resolved complaint: completes the
   * follow-up (logging the contact) and keeps the CSAT score for the satisfaction report.
   */
  async completeFollowUp(
    principal: Principal,
    id: string,
    input: CompleteFeedbackFollowUpInput,
  ): Promise<FeedbackModel> {
    const now = this.clock.now();
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const current = await this.require(tx, principal, id);
      if (!current.follow_up_id) {
        throw new DomainError(
          'conflict',
          'This feedback has no satisfaction call-back; one is scheduled when a complaint with a customer is resolved.',
        );
      }
      await this.links.completeFollowUp(tx, current.follow_up_id, {
        outcome: input.outcome,
        by: actorOf(principal),
        type: input.type,
      });
      const row = await this.repository.recordFollowUpOutcome(tx, id, input.csat ?? null, now);
      return toFeedbackModel(row, now);
    });
  }

  async assign(
    principal: Principal,
    id: string,
    input: AssignFeedbackInput,
  ): Promise<FeedbackModel> {
    const now = this.clock.now();
    return this.database.withTenant(principal.tenantId, async (tx) => {
      await this.require(tx, principal, id);
      const row = (await this.repository.assign(tx, id, input.assignee, now))!;
      return toFeedbackModel(row, now);
    });
  }

  async addNote(
    principal: Principal,
    id: string,
    input: FeedbackNoteInput,
  ): Promise<FeedbackNoteModel> {
    const now = this.clock.now();
    return this.database.withTenant(principal.tenantId, async (tx) => {
      await this.require(tx, principal, id);
      const row = await this.repository.insertNote(tx, {
        id: uuid7(),
        feedback_id: id,
        author: actorOf(principal),
        body: input.body,
        created_at: now,
      });
      return toNoteModel(row);
    });
  }

  async listNotes(
    principal: Principal,
    id: string,
    query: { limit?: number; cursor?: string },
  ): Promise<Page<FeedbackNoteModel>> {
    const keyset = decodeCursor(query.cursor);
    const limit = pageLimit(query);
    return this.database.withTenant(principal.tenantId, async (tx) => {
      await this.require(tx, principal, id);
      return toPage(await this.repository.listNotes(tx, id, keyset, limit), limit, toNoteModel);
    });
  }

  /** The `feedback.overdue` job: one event per item the first time it is seen past due. */
  async reportOverdue(tenantId: string, now: Date = this.clock.now()): Promise<number> {
    return this.database.withTenant(tenantId, async (tx) => {
      const rows = await this.repository.claimNewlyOverdue(tx, now);
      await this.outbox.recordMany(
        tx,
        rows.map((row) => ({
          type: 'feedback.overdue',
          customerId: row.customer_id,
          subjectType: 'feedback',
          subjectId: row.id,
          payload: {
            id: row.id,
            type: row.type,
            severity: row.severity,
            status: row.status,
            storeId: row.store_id,
            assignee: row.assignee,
            dueAt: row.due_at.toISOString(),
          },
        })),
      );
      return rows.length;
    });
  }

  private async onResolved(tx: Tx, row: FeedbackRow, now: Date): Promise<void> {
    await this.outbox.record(tx, {
      type: 'feedback.resolved',
      customerId: row.customer_id,
      subjectType: 'feedback',
      subjectId: row.id,
      payload: {
        id: row.id,
        type: row.type,
        category: row.category,
        storeId: row.store_id,
        resolvedAt: now.toISOString(),
        breachedSla: now > row.due_at,
      },
    });
    // The manuals close the loop with a call-back (回访) asking whether the customer is satisfied.
    if (row.type === 'complaint' && row.customer_id) {
      const followUpId = await this.links.createSatisfactionFollowUp(tx, row, now);
      if (followUpId) {
        await this.repository.setFollowUp(tx, row.id, followUpId);
        row.follow_up_id = followUpId;
      }
    }
  }

  private assertTransition(from: FeedbackStatus, to: FeedbackStatus): void {
    if (canTransition(from, to)) return;
    const allowed = allowedTransitions(from);
    throw new DomainError(
      'invalid_transition',
      `Feedback cannot move from "${from}" to "${to}"; allowed: ${allowed.length ? allowed.join(', ') : 'none (final status)'}.`,
      { extensions: { currentStatus: from, allowedTransitions: allowed } },
    );
  }

  /** The item, or 404 — also for store staff asking about another store's feedback. */
  private async require(tx: Tx, principal: Principal, id: string): Promise<FeedbackRow> {
    const row = isUuid(id) ? await this.repository.find(tx, id) : undefined;
    if (!row || !canSee(principal, row.store_id)) throw DomainError.notFound('Feedback');
    return row;
  }
}
