import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import {
  ApiExcludeEndpoint,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { DomainError } from '../common/errors/domain-error';
import { Database } from '../database/database.service';
import { MetricsService } from './metrics.service';

class HealthModel {
  @ApiProperty({ example: 'ok' })
  status: string;
  @ApiProperty({ required: false, example: { database: 'ok' } })
  checks?: Record<string, string>;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly database: Database,
    private readonly metrics: MetricsService,
  ) {}

  @Public()
  @Get('live')
  @ApiOperation({ summary: 'Liveness', description: 'The process is up and serving HTTP.' })
  @ApiOkResponse({ type: HealthModel })
  live(): HealthModel {
    return { status: 'ok' };
  }

  @Public()
  @Get('ready')
  @ApiOperation({
    summary: 'Readiness',
    description: 'The database answers; 503 `service_unavailable` otherwise.',
  })
  @ApiOkResponse({ type: HealthModel })
  async ready(): Promise<HealthModel> {
    try {
      await this.database.systemQuery('SELECT 1');
    } catch {
      throw new DomainError('service_unavailable', 'The database does not answer.');
    }
    return { status: 'ok', checks: { database: 'ok' } };
  }
}

@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Public()
  @Get('metrics')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiExcludeEndpoint()
  async metricsText(@Res() reply: FastifyReply): Promise<void> {
    void reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
