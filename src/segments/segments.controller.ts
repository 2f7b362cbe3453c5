import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiProduces,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiProblems } from '../common/http/api-problems.decorator';
import { Page, PageQuery } from '../common/pagination';
import {
  CreateSegmentInput,
  EXPORT_FIELDS,
  ExportQuery,
  PreviewSegmentInput,
  UpdateSegmentInput,
} from './dto/segment.input';
import { SegmentExportService } from './export/segment-export.service';
import {
  SegmentCustomerModel,
  SegmentMemberPageModel,
  SegmentModel,
  SegmentPageModel,
  SegmentPreviewModel,
  SegmentRefreshJobModel,
} from './dto/segment.model';
import { SegmentRefreshService } from './segment-refresh.service';
import { SegmentsService } from './segments.service';

@ApiTags('segments')
@ApiBearerAuth()
@Controller('v1/segments')
export class SegmentsController {
  constructor(
    private readonly segments: SegmentsService,
    private readonly refresh: SegmentRefreshService,
    private readonly exports: SegmentExportService,
  ) {}

  @Post()
  @Scopes('segments:write')
  @ApiOperation({
    summary: 'Create a segment',
    description:
      'Saves a named rule (text or JSON tree). The rule is parsed and type-checked now; errors answer 422 with the ' +
      'position. Membership is materialised by `POST /v1/segments/{id}/refresh`.',
  })
  @ApiCreatedResponse({ type: SegmentModel })
  @ApiProblems(401, 403, 409, 422)
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() input: CreateSegmentInput,
  ): Promise<SegmentModel> {
    return this.segments.create(principal, input);
  }

  @Get()
  @Scopes('segments:read')
  @ApiOperation({
    summary: 'List segments',
    description: 'Built-in and user segments, newest first, cursor-paginated.',
  })
  @ApiOkResponse({ type: SegmentPageModel })
  @ApiProblems(401, 403, 422)
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: PageQuery,
  ): Promise<Page<SegmentModel>> {
    return this.segments.list(principal, query);
  }

  @Post('preview')
  @HttpCode(200)
  @Scopes('segments:read')
  @ApiOperation({
    summary: 'Preview a rule',
    description:
      'Counts the active customers matching a rule now and returns up to 20 of them. Nothing is stored.',
  })
  @ApiOkResponse({ type: SegmentPreviewModel })
  @ApiProblems(401, 403, 422)
  preview(
    @CurrentPrincipal() principal: Principal,
    @Body() input: PreviewSegmentInput,
  ): Promise<SegmentPreviewModel> {
    return this.segments.preview(principal, input.query);
  }

  @Get(':id')
  @Scopes('segments:read')
  @ApiOperation({
    summary: 'Get a segment',
    description: 'Definition, member count and last refresh time.',
  })
  @ApiOkResponse({ type: SegmentModel })
  @ApiProblems(401, 403, 404)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<SegmentModel> {
    return this.segments.get(principal, id);
  }

  @Patch(':id')
  @Scopes('segments:write')
  @ApiOperation({
    summary: 'Change a segment',
    description: 'Name, description or rule. Built-in segments answer 409.',
  })
  @ApiOkResponse({ type: SegmentModel })
  @ApiProblems(401, 403, 404, 409, 422)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() input: UpdateSegmentInput,
  ): Promise<SegmentModel> {
    return this.segments.update(principal, id, input);
  }

  @Delete(':id')
  @HttpCode(204)
  @Scopes('segments:write')
  @ApiOperation({
    summary: 'Delete a segment',
    description: 'Removes the definition and its membership. Built-in segments answer 409.',
  })
  @ApiNoContentResponse()
  @ApiProblems(401, 403, 404, 409)
  async delete(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.segments.delete(principal, id);
  }

  @Post(':id/refresh')
  @HttpCode(202)
  @Scopes('segments:write')
  @ApiOperation({
    summary: 'Refresh membership',
    description:
      'Queues a refresh and answers 202 with the job; poll `Location`. The refresh recomputes membership set-based ' +
      'and writes `segment.entered` / `segment.exited` events for the difference.',
  })
  @ApiAcceptedResponse({ type: SegmentRefreshJobModel })
  @ApiProblems(401, 403, 404)
  async requestRefresh(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SegmentRefreshJobModel> {
    const job = await this.refresh.request(principal, id);
    void reply.header('Location', `/v1/segments/${id}/refresh-jobs/${job.id}`);
    return job;
  }

  @Get(':id/refresh-jobs/:jobId')
  @Scopes('segments:read')
  @ApiOperation({
    summary: 'Refresh job status',
    description: 'queued → running → succeeded | failed, with member and diff counts.',
  })
  @ApiOkResponse({ type: SegmentRefreshJobModel })
  @ApiProblems(401, 403, 404)
  job(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Param('jobId') jobId: string,
  ): Promise<SegmentRefreshJobModel> {
    return this.refresh.job(principal, id, jobId);
  }

  @Get(':id/members')
  @Scopes('segments:read')
  @ApiOperation({
    summary: 'Segment members',
    description: 'Members as of the last refresh, cursor-paginated (stable order by customer id).',
  })
  @ApiOkResponse({ type: SegmentMemberPageModel })
  @ApiProblems(401, 403, 404, 422)
  members(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: PageQuery,
  ): Promise<Page<SegmentCustomerModel>> {
    return this.segments.members(principal, id, query);
  }

  @Get(':id/export')
  @Scopes('segments:read')
  @ApiOperation({
    summary: 'Export members',
    description:
      'Streams the members of the last refresh as NDJSON or CSV (RFC 4180, optional UTF-8 BOM for Excel) straight from a ' +
      'database cursor. With `channel`, only customers whose marketing consent on that channel is granted and who are not ' +
      `restricted. Fields: ${EXPORT_FIELDS.join(', ')}; phone and email are masked without pii:read. Spreadsheet formulas in cells are neutralised.`,
  })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({ description: 'The export stream.' })
  @ApiProblems(401, 403, 404, 422)
  async export(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: ExportQuery,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    let opened = false;
    try {
      await this.exports.export(principal, id, query, (target) => {
        opened = true;
        reply.hijack();
        reply.raw.writeHead(200, {
          'content-type': target.contentType,
          'content-disposition': `attachment; filename="${target.filename}"`,
          'cache-control': 'no-store',
        });
        return reply.raw;
      });
    } catch (error) {
      // Before the first byte the error becomes a problem document; after it, the only honest
      // signal left is to cut the connection so the client sees a truncated transfer.
      if (!opened) throw error;
      reply.raw.destroy(error instanceof Error ? error : undefined);
    }
  }
}
