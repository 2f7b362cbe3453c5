import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Principal } from '../../auth/principal';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { fromMinorUnits, toMinorUnits } from '../../common/money';
import { CustomerExtensions } from '../../customers/customer-extensions';
import { Database } from '../../database/database.service';
import type { Tx } from '../../database/tx';
import { JobRegistry } from '../../events/job-registry';
import {
  RfmRecomputeModel,
  SegmentSettingsInput,
  SegmentSettingsModel,
} from '../dto/segment-settings.input';
import { SegmentRefreshService } from '../segment-refresh.service';
import { SegmentSettingsRow, SegmentsRepository } from '../segments.repository';
import { SegmentsService } from '../segments.service';
import { RfmRepository, RfmRow } from './rfm.repository';

/** The `rfm` block of the customer view. */
function toRfmBlock(
  row: Pick<
    RfmRow,
    | 'r_score'
    | 'f_score'
    | 'm_score'
    | 'segment'
    | 'frequency_class'
    | 'spend_class'
    | 'gold'
    | 'computed_at'
  >,
): Record<string, unknown> {
  return {
    r: row.r_score,
    f: row.f_score,
    m: row.m_score,
    score: `${row.r_score}${row.f_score}${row.m_score}`,
    segment: row.segment,
    frequencyClass: row.frequency_class,
    spendClass: row.spend_class,
    gold: row.gold,
    computedAt: row.computed_at.toISOString(),
  };
}

/**
 * RFM scores on demand and nightly; tenant classification settings; the `rfm` block of the
 * customer view. The nightly job then re-materialises the segments that
 * were refreshed before, so their entered/exited events follow the new scores.
 */
@Injectable()
export class RfmService implements OnModuleInit {
  private readonly logger = new Logger(RfmService.name);

  constructor(
    private readonly database: Database,
    private readonly rfm: RfmRepository,
    private readonly segments: SegmentsRepository,
    private readonly segmentsService: SegmentsService,
    private readonly refresh: SegmentRefreshService,
    private readonly extensions: CustomerExtensions,
    private readonly jobs: JobRegistry,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.extensions.registerView(
      'rfm',
      async (tx, customerIds) => {
        const rows = await this.rfm.forCustomers(tx, customerIds);
        return new Map(rows.map((row) => [row.customer_id, toRfmBlock(row)]));
      },
      {
        sql: (alias) => this.rfm.viewColumnSql(alias),
        toBlocks: (_tx, values) => {
          const blocks = new Map<string, unknown>();
          for (const [id, value] of values) {
            const row = value as Omit<RfmRow, 'computed_at'> & { computed_at: string };
            blocks.set(id, toRfmBlock({ ...row, computed_at: new Date(row.computed_at) }));
          }
          return Promise.resolve(blocks);
        },
      },
    );
    this.extensions.registerMergeHandler('segments', (tx, _survivorId, sourceIds) =>
      this.rfm.moveOnMerge(tx, sourceIds),
    );
    this.jobs.register({
      name: 'segments.rfm-nightly',
      at: '03:00',
      run: async ({ tenantId }) => {
        await this.recomputeTenant(tenantId);
        await this.refreshMaterialised(tenantId);
      },
    });
  }

  async recompute(principal: Principal): Promise<RfmRecomputeModel> {
    return this.recomputeTenant(principal.tenantId);
  }

  async recomputeTenant(tenantId: string): Promise<RfmRecomputeModel> {
    return this.database.withTenant(tenantId, async (tx) => {
      const now = this.clock.now();
      const context = await this.segments.tenantContext(tx);
      const start = await this.rfm.windowStart(tx, now, context.time_zone);
      const scored = await this.rfm.recompute(tx, now, start, await this.segments.settings(tx));
      return { scored, computedAt: now.toISOString() };
    });
  }

  /**
   * Re-materialises every segment that has been refreshed before (built-in or user), each in
   * its own transaction so one failure leaves the others. Segments nobody materialised stay
   * untouched: no surprise entered/exited events for a tenant that never asked for them.
   */
  async refreshMaterialised(tenantId: string): Promise<void> {
    const segments = await this.database.withTenant(tenantId, (tx) =>
      this.segments.materialised(tx),
    );
    for (const segment of segments) {
      await this.database
        .withTenant(tenantId, (tx) => this.refresh.refreshInTx(tx, segment.id))
        .catch((error: unknown) =>
          this.logger.error(`nightly refresh of segment ${segment.id} failed: ${String(error)}`),
        );
    }
  }

  async getSettings(principal: Principal): Promise<SegmentSettingsModel> {
    return this.database.withTenant(principal.tenantId, async (tx) =>
      this.toModel(tx, await this.segments.settings(tx)),
    );
  }

  async putSettings(
    principal: Principal,
    input: SegmentSettingsInput,
  ): Promise<SegmentSettingsModel> {
    const pairs: Array<[unknown, unknown, string]> = [
      [input.frequencyHighMin, input.frequencyMidMin, 'frequency'],
      [input.spendHighMin, input.spendMidMin, 'spend'],
    ];
    for (const [high, mid, name] of pairs) {
      if ((high == null) !== (mid == null))
        throw DomainError.field(
          `${name}MidMin`,
          'required',
          `${name}HighMin and ${name}MidMin go together (omit both for tertiles).`,
        );
    }
    return this.database.withTenant(principal.tenantId, async (tx) => {
      const { currency } = await this.segments.tenantContext(tx);
      const minor = (value: string | null | undefined, field: string) =>
        value == null ? null : toMinorUnits(value, currency, field).toString();
      const row: SegmentSettingsRow = {
        gold_top_percent: input.goldTopPercent,
        gold_min_purchases: input.goldMinPurchases,
        lapsed_days: input.lapsedDays,
        frequency_high_min: input.frequencyHighMin ?? null,
        frequency_mid_min: input.frequencyMidMin ?? null,
        spend_high_min_minor: minor(input.spendHighMin, 'spendHighMin'),
        spend_mid_min_minor: minor(input.spendMidMin, 'spendMidMin'),
      };
      if (row.frequency_high_min !== null && row.frequency_high_min <= row.frequency_mid_min!) {
        throw DomainError.field(
          'frequencyHighMin',
          'too_small',
          'frequencyHighMin must be above frequencyMidMin.',
        );
      }
      if (
        row.spend_high_min_minor !== null &&
        BigInt(row.spend_high_min_minor) <= BigInt(row.spend_mid_min_minor!)
      ) {
        throw DomainError.field(
          'spendHighMin',
          'too_small',
          'spendHighMin must be above spendMidMin.',
        );
      }
      await this.segments.saveSettings(tx, row, this.clock.now());
      await this.segmentsService.ensureBuiltins(tx);
      return this.toModel(tx, row);
    });
  }

  private async toModel(tx: Tx, row: SegmentSettingsRow): Promise<SegmentSettingsModel> {
    const { currency } = await this.segments.tenantContext(tx);
    return {
      goldTopPercent: row.gold_top_percent,
      goldMinPurchases: row.gold_min_purchases,
      lapsedDays: row.lapsed_days,
      frequencyHighMin: row.frequency_high_min,
      frequencyMidMin: row.frequency_mid_min,
      spendHighMin:
        row.spend_high_min_minor === null
          ? null
          : fromMinorUnits(row.spend_high_min_minor, currency),
      spendMidMin:
        row.spend_mid_min_minor === null ? null : fromMinorUnits(row.spend_mid_min_minor, currency),
    };
  }
}
