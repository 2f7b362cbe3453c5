import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { LogController, type FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import type { Principal } from './auth/principal';
import { TokenVerifier } from './auth/token-verifier';
import { AppConfig } from './config/app-config';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { lazyRequestLogger, loggerOptions } from './common/http/logging';
import { createValidationPipe } from './common/http/validation';
import { uuid7 } from './common/uuid7';
import { MetricsService } from './health/metrics.service';
import { registerIdempotencyHook } from './common/idempotency/idempotency.hook';
import { IdempotencyService } from './common/idempotency/idempotency.service';
import { registerAuditHooks } from './privacy/audit/audit-recording';
import { AuditService } from './privacy/audit/audit.service';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('Kehu API')
    .setDescription(
      'Headless customer-data API for retailers: one customer record shared by POS, e-shop, marketing tools and ' +
        'staff consoles. Authenticate with `POST /v1/oauth/token` (client credentials) or `POST /v1/auth/login` (staff) ' +
        'and send `Authorization: Bearer <token>`. Errors are RFC 9457 `application/problem+json` with a stable `code`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Builds the configured Nest application on Fastify; main.ts and the tests both use it. */
export async function createKehuApp(
  config: AppConfig,
  dataSource: DataSource,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    logger: loggerOptions(config.logLevel),
    // One log line per request comes from the onResponse hook below, with tenant and route.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: true,
    forceCloseConnections: 'idle',
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : uuid7();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, dataSource),
    adapter,
    {
      bufferLogs: false,
      logger: config.logLevel === 'silent' ? false : ['error', 'warn'],
    },
  );
  const fastify = app.getHttpAdapter().getInstance();

  const metrics = app.get(MetricsService);
  const tokens = app.get(TokenVerifier);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    // Who is calling is known before any route code (the guards decide what that allows).
    if (request.headers.authorization !== undefined)
      request.authentication = tokens.authenticate(request.headers.authorization);
    done();
  });
  fastify.addHook('onResponse', async (request: FastifyRequest, reply) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.observe(request.method, route, reply.statusCode, seconds);
    request.log.info(
      {
        tenant: request.principal?.tenantSlug,
        method: request.method,
        route,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request',
    );
  });

  registerIdempotencyHook(fastify, app.get(IdempotencyService));
  registerAuditHooks(fastify, app.get(AuditService));

  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
    customSiteTitle: 'Kehu API reference',
  });
  return app;
}
