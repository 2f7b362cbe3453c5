import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Scopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { DomainError } from '../common/errors/domain-error';
import { ApiProblems } from '../common/http/api-problems.decorator';
import {
  ImportErrorPageModel,
  ImportErrorsQuery,
  ImportModel,
  StartImportQuery,
} from './dto/import.model';
import type { ImportFormat } from './import-reader';
import { ImportsService } from './imports.service';

const FORMATS: Record<string, ImportFormat> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
};

/** Reads format and charset from Content-Type (`text/csv; charset=gb18030`). */
function contentType(request: FastifyRequest): { format: ImportFormat; charset?: string } {
  const header = request.headers['content-type'] ?? '';
  const [type, ...params] = header.split(';').map((p) => p.trim());
  const format = FORMATS[type.toLowerCase()];
  if (!format)
    throw new DomainError(
      'unsupported_media_type',
      'Send the file as text/csv or application/x-ndjson.',
    );
  const charset = params
    .find((p) => p.toLowerCase().startsWith('charset='))
    ?.slice(8)
    .replace(/"/g, '');
  return { format, charset };
}

@ApiTags('imports')
@ApiBearerAuth()
@Controller('v1/imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post()
  @Scopes('imports:write')
  @ApiOperation({
    summary: 'Import customers or transactions from a CSV or NDJSON file',
    description:
      'The body is the file itself (`text/csv` or `application/x-ndjson`, up to 2 GB), read as it streams: UTF-8 with or ' +
      'without BOM or GB18030 (declared with `charset` or the Content-Type parameter, sniffed otherwise). `mapping` maps ' +
      'headers to fields (`attr.<key>` for custom attributes). Rows are staged with COPY and merged in batches by a ' +
      'worker; answers 202 with the import once the file is received. Customers are matched by phone, e-mail, member number ' +
      'or external id: blanks are filled, nothing is overwritten with an empty cell, duplicates inside the file are merged. ' +
      'Transactions are idempotent by (source, receipt id), line-level files are grouped into receipts. Unreadable rows ' +
      'are reported at GET /v1/imports/{id}/errors and never stop the import; `dryRun=true` counts without keeping anything.',
  })
  @ApiConsumes('text/csv', 'application/x-ndjson')
  @ApiAcceptedResponse({ type: ImportModel, description: 'Received; `Location` names the import.' })
  @ApiProblems(401, 403, 413, 415, 422)
  async start(
    @CurrentPrincipal() principal: Principal,
    @Query() query: StartImportQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportModel> {
    const type = contentType(request);
    const body = request.body as AsyncIterable<Buffer> | undefined;
    if (
      !body ||
      typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function'
    ) {
      throw new DomainError('validation_failed', 'The file is empty.', {
        errors: [
          { field: 'body', code: 'empty_file', message: 'Send the file as the request body.' },
        ],
      });
    }
    const result = await this.imports.start(
      principal,
      {
        kind: query.kind,
        dryRun: query.dryRun === 'true',
        format: type.format,
        charset: query.charset ?? type.charset,
        mapping: query.mapping,
      },
      body,
    );
    void reply.status(202).header('Location', `/v1/imports/${result.id}`);
    return result;
  }

  @Get(':id')
  @Scopes('imports:write')
  @ApiOperation({
    summary: 'Progress of an import',
    description:
      'Status, received/processed/created/updated/skipped/failed counts, percent done and rows per second.',
  })
  @ApiOkResponse({ type: ImportModel })
  @ApiProblems(401, 403, 404)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ImportModel> {
    return this.imports.get(principal, id);
  }

  @Get(':id/errors')
  @Scopes('imports:write')
  @ApiOperation({
    summary: 'Row errors of an import',
    description:
      'One entry per refused cell or row, in file order: line (the CSV header is line 1), column, value (masked when it is personal data), code, message. Keyset-paginated.',
  })
  @ApiOkResponse({ type: ImportErrorPageModel })
  @ApiProblems(401, 403, 404, 422)
  errors(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: ImportErrorsQuery,
  ): Promise<ImportErrorPageModel> {
    return this.imports.errors(principal, id, query);
  }
}
