import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/errors/domain-error';
import { decodeCursor, Page, PageQuery, pageLimit, toPage } from '../common/pagination';
import { isUuid, uuid7 } from '../common/uuid7';
import { Database } from '../database/database.service';
import type { Tx } from '../database/tx';
import { builtinSegments } from './builtin-segments';
import { CreateSegmentInput, UpdateSegmentInput } from './dto/segment.input';
import { SegmentCustomerModel, SegmentModel, SegmentPreviewModel } from './dto/segment.model';
import { SegmentMembershipRepository } from './segment-membership.repository';
import { toSegmentCustomerModel, toSegmentModel } from './segments.mapper';
import { SegmentRow, SegmentsRepository } from './segments.repository';
import { CompiledRule } from './rules/rule-compiler';
import { CheckedRule, checkRule, compileStoredRule } from './rules/rule-language';
import { SqlParams } from './rules/sql-params';

const SAMPLE_SIZE = 20;

/** Segment definitions, preview and membership reads. Refresh lives in SegmentRefreshService. */
@Injectable()
export class SegmentsService {
  constructor(
    private readonly database: Database,
    private readonly segments: SegmentsRepository,
    private readonly membership: SegmentMembershipRepository,
    private readonly clock: Clock,
  ) {}

  async create(principal: Principal, input: CreateSegmentInput): Promise<SegmentModel> {
    const rule = checkRule(input.query);
    return this.database.withTenant(principal.tenantId, async (tx) => {
      await this.ensureBuiltins(tx);
      if (await this.segments.nameTaken(tx, input.name)) throw this.nameConflict(input.name);
      const row = await this.segments.insert(tx, {
        id: uuid7(),
        name: input.name,
        description: input.description ?? null,
        text: rule.text,
        tree: rule.tree,
        createdBy: principal.subject,
        now: this.clock.now(),
      });
      if (!row) throw this.nameConflict(input.name);
      return toSegmentModel(row);
    });
  }

  async list(principal: Principal, query: PageQuery): Promise<Page<SegmentModel>> {
    const limit = pageLimit(query);
    const after = decodeCursor(query.cursor);
    return this.database.withTenant(principal.tenantId, async (tx) => {
      await this.ensureBuiltins(tx);
      return toPage(await this.segments.list(tx, after, limit), limit, toSegmentModel);
    });
  }

  async get(principal: Principal, id: string): Promise<SegmentModel> {
    return this.database.withTenant(principal.tenantId, async (tx) => {
      await this.ensureBuiltins(tx);
      return toSegmentModel(await this.load(tx, id));
    });
  }

  async update(principal: Principal, id: string, input: UpdateSegmentInput): Promise<SegmentModel> {
    const rule = input.query !== undefined ? checkRule(input.query) : undefined;
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const current = await this.load(tx, id, { lock: true });
      this.assertEditable(current);
      const name = input.name ?? current.name;
      if (input.name !== undefined && (await this.segments.nameTaken(tx, name, id)))
        throw this.nameConflict(name);
      const row = await this.segments.update(tx, id, {
        name,
        description: input.description !== undefined ? input.description : current.description,
        text: rule ? rule.text : current.query_text,
        tree: rule ? rule.tree : current.query_tree,
        now: this.clock.now(),
      });
      return toSegmentModel(row);
    });
  }

  async delete(principal: Principal, id: string): Promise<void> {
    await this.database.withTenant(principal.tenantId, async (tx) => {
      this.assertEditable(await this.load(tx, id, { lock: true }));
      await this.segments.delete(tx, id);
    });
  }

  async preview(principal: Principal, query: unknown): Promise<SegmentPreviewModel> {
    const rule = checkRule(query);
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const { compiled, params } = await this.compile(tx, rule);
      const [count, sample] = [
        await this.membership.count(tx, compiled, params),
        await this.membership.sample(tx, compiled, params, SAMPLE_SIZE),
      ];
      return { count, sample: sample.map(toSegmentCustomerModel) };
    });
  }

  async members(
    principal: Principal,
    id: string,
    query: PageQuery,
  ): Promise<Page<SegmentCustomerModel>> {
    const limit = pageLimit(query);
    const after = decodeMemberCursor(query.cursor);
    return this.database.withTenant(principal.tenantId, async (tx) => {
      await this.load(tx, id);
      const rows = await this.membership.members(tx, id, after, limit);
      const more = rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      return {
        items: page.map(toSegmentCustomerModel),
        nextCursor: more
          ? Buffer.from(JSON.stringify([page[page.length - 1].id])).toString('base64url')
          : null,
      };
    });
  }

  /** The stored rule compiled for this tenant's calendar and currency, `$1` = tenant. */
  async compile(tx: Tx, rule: CheckedRule): Promise<{ compiled: CompiledRule; params: SqlParams }> {
    const context = await this.segments.tenantContext(tx);
    const params = new SqlParams([tx.tenant]);
    const compiled = compileStoredRule(
      rule,
      { now: this.clock.now(), timeZone: context.time_zone, currency: context.currency },
      params,
    );
    return { compiled, params };
  }

  async load(tx: Tx, id: string, options: { lock?: boolean } = {}): Promise<SegmentRow> {
    const row = isUuid(id) ? await this.segments.find(tx, id, options) : undefined;
    if (!row) throw DomainError.notFound('Segment');
    return row;
  }

  /** The tenant's classification settings (lapsed days, gold, thresholds), inside the caller's transaction. */
  async settingsFor(tx: Tx) {
    return this.segments.settings(tx);
  }

  /** Creates any missing built-in segment for the tenant; idempotent and cheap when present. */
  async ensureBuiltins(tx: Tx): Promise<void> {
    const settings = await this.segments.settings(tx);
    const now = this.clock.now();
    const present = new Map(
      (await this.segments.builtins(tx)).map((row) => [row.builtin_key, row]),
    );
    for (const builtin of builtinSegments({ lapsedDays: settings.lapsed_days })) {
      const existing = present.get(builtin.key);
      if (existing && existing.query_text === builtin.query) continue;
      const rule = checkRule(builtin.query);
      if (!existing) {
        await this.segments.insert(tx, {
          id: uuid7(),
          name: builtin.name,
          description: builtin.description,
          text: rule.text,
          tree: rule.tree,
          builtinKey: builtin.key,
          createdBy: 'kehu',
          now,
        });
      } else if (existing.query_text !== builtin.query) {
        // Settings changed (e.g. lapsed days): the built-in follows them.
        await this.segments.update(tx, existing.id, {
          name: existing.name,
          description: builtin.description,
          text: rule.text,
          tree: rule.tree,
          now,
        });
      }
    }
  }

  private assertEditable(row: SegmentRow): void {
    if (row.builtin_key)
      throw new DomainError(
        'conflict',
        `Built-in segment "${row.builtin_key}" cannot be changed or deleted.`,
      );
  }

  private nameConflict(name: string): DomainError {
    return new DomainError('conflict', `A segment named "${name}" already exists.`, {
      errors: [
        { field: 'name', code: 'taken', message: 'name is already used by another segment' },
      ],
    });
  }
}

function decodeMemberCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  try {
    const [id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string];
    if (isUuid(id)) return id;
  } catch {
    // fall through
  }
  throw DomainError.field('cursor', 'invalid_cursor', 'cursor is not one this API issued.');
}
