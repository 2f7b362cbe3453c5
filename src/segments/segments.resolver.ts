import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { CreateSegmentInput, UpdateSegmentInput } from './dto/segment.input';
import {
  SegmentMemberPageModel,
  SegmentModel,
  SegmentPageModel,
  SegmentPreviewModel,
  SegmentRefreshJobModel,
} from './dto/segment.model';
import { RuleQueryScalar } from './dto/rule-query.scalar';
import { SegmentRefreshService } from './segment-refresh.service';
import { SegmentsService } from './segments.service';

/** GraphQL mirror of /v1/segments: same service calls as the REST controller. */
@Resolver(() => SegmentModel)
export class SegmentsResolver {
  constructor(
    private readonly service: SegmentsService,
    private readonly refresh: SegmentRefreshService,
  ) {}

  @Query(() => SegmentPageModel, {
    name: 'segments',
    description: 'Built-in and user segments, newest first.',
  })
  @Scopes('segments:read')
  listSegments(
    @CurrentPrincipal() principal: Principal,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
    @Args('cursor', { nullable: true }) cursor?: string,
  ): Promise<SegmentPageModel> {
    return this.service.list(principal, { limit: clampLimit(limit), cursor });
  }

  @Query(() => SegmentModel, { description: 'One segment.' })
  @Scopes('segments:read')
  segment(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<SegmentModel> {
    return this.service.get(principal, id);
  }

  @Query(() => SegmentPreviewModel, {
    description: 'Count and 20 sample customers matching a rule now.',
  })
  @Scopes('segments:read')
  segmentPreview(
    @CurrentPrincipal() principal: Principal,
    @Args('query', { type: () => RuleQueryScalar }) query: unknown,
  ): Promise<SegmentPreviewModel> {
    return this.service.preview(principal, query);
  }

  @Query(() => SegmentMemberPageModel, {
    description: 'Members as of the last refresh (cursor connection).',
  })
  @Scopes('segments:read')
  segmentMembers(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('limit', { type: () => Int, nullable: true }) limit?: number,
    @Args('cursor', { nullable: true }) cursor?: string,
  ): Promise<SegmentMemberPageModel> {
    return this.service.members(principal, id, { limit: clampLimit(limit), cursor });
  }

  @Mutation(() => SegmentModel, {
    description: 'Create a segment from a rule (text or JSON tree).',
  })
  @Scopes('segments:write')
  createSegment(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: CreateSegmentInput,
  ): Promise<SegmentModel> {
    return this.service.create(principal, input);
  }

  @Mutation(() => SegmentModel, { description: 'Change a user segment.' })
  @Scopes('segments:write')
  updateSegment(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateSegmentInput,
  ): Promise<SegmentModel> {
    return this.service.update(principal, id, input);
  }

  @Mutation(() => Boolean, { description: 'Delete a user segment.' })
  @Scopes('segments:write')
  async deleteSegment(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    await this.service.delete(principal, id);
    return true;
  }

  @Mutation(() => SegmentRefreshJobModel, {
    description: 'Queue a membership refresh; poll segmentRefreshJob.',
  })
  @Scopes('segments:write')
  refreshSegment(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<SegmentRefreshJobModel> {
    return this.refresh.request(principal, id);
  }

  @Query(() => SegmentRefreshJobModel, { description: 'Status of a refresh job.' })
  @Scopes('segments:read')
  segmentRefreshJob(
    @CurrentPrincipal() principal: Principal,
    @Args('segmentId', { type: () => ID }) segmentId: string,
    @Args('jobId', { type: () => ID }) jobId: string,
  ): Promise<SegmentRefreshJobModel> {
    return this.refresh.job(principal, segmentId, jobId);
  }
}

/** GraphQL args skip the REST PageQuery validation; the same bounds apply. */
function clampLimit(limit: number | undefined): number | undefined {
  return limit === undefined ? undefined : Math.min(Math.max(1, Math.trunc(limit)), 500);
}
