import type { IncomingMessage } from 'node:http';
import { type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { getDataSourceToken } from '@nestjs/typeorm';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { EventConsumer, MESSAGING_OPTIONS, type MessagingOptions } from '@antq/messaging';
import { refuseDeepJson } from './json-depth';
import { refusePendingMigrations } from './migrate';
import { describeErrorResponses } from './openapi-errors';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-key';
import { isJsonRequest, refuseNonJsonBody, refuseNonObjectJson, refuseProtoKeys } from './request-body';
import { ServiceConfig } from './service-config';
import { PlatformValidationPipe } from './validation';

export interface ServiceDocument {
  title: string;
  description: string;
}

/**
 * Creates and starts a service: HTTP API with validation and its OpenAPI document at
 * /docs (JSON at /docs-json), the Kafka consumer, and graceful shutdown on SIGTERM/SIGINT
 * (in-flight batches commit, the consumer leaves its group, the relay stops). Refuses to
 * start (PendingMigrationsError) while its database has migrations still to run.
 */
export async function startService(module: DynamicModule, doc: ServiceDocument): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true });
  // Before any worker, consumer or listener starts (they start with app.init()).
  try {
    await refusePendingMigrations(app.get<DataSource>(getDataSourceToken()), app.get<MessagingOptions>(MESSAGING_OPTIONS).service);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  // The default JSON parser (100 kB), which also refuses a body that is not an object, one
  // nested deeper than any command, and keys that validation would never see.
  app.useBodyParser('json', {
    verify: (request: IncomingMessage, response: unknown, body: Buffer) => {
      refuseNonObjectJson(body);
      refuseDeepJson(request, response, body);
    },
    reviver: refuseProtoKeys,
  });
  // Any other body is refused (415) rather than skipped.
  app.useBodyParser('raw', { type: (request: IncomingMessage) => !isJsonRequest(request), verify: refuseNonJsonBody });
  // No body at all is an empty command, whose fields then take their defaults (POST /feed/read-all);
  // the raw parser leaves an empty buffer for a zero length without a type.
  app.use((request: IncomingMessage & { body?: unknown }, _response: unknown, next: () => void) => {
    if (request.body === undefined || Buffer.isBuffer(request.body)) request.body = {};
    next();
  });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  // Helmet's defaults (the API docs page loads its scripts from the service itself), but no
  // upgrade to https: services sit behind a TLS-terminating ingress or on plain http locally.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  const config = app.get(ServiceConfig);
  // Browser pages of the origins configured may call the API with a bearer token (no cookies).
  if (config.CORS_ORIGINS.length) {
    app.enableCors({
      origin: config.CORS_ORIGINS,
      allowedHeaders: ['authorization', 'content-type', 'x-correlation-id', IDEMPOTENCY_KEY_HEADER],
      exposedHeaders: ['x-correlation-id', 'x-total-count', 'content-disposition', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
      maxAge: 600,
    });
  }
  app.useGlobalPipes(new PlatformValidationPipe());
  app.enableShutdownHooks();

  const document = describeErrorResponses(
    SwaggerModule.createDocument(app, new DocumentBuilder().setTitle(doc.title).setDescription(doc.description).setVersion('1.0').addBearerAuth().build()),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  // The consumer shares the application's filters: see PlatformExceptionFilter.
  app.connectMicroservice({ strategy: app.get(EventConsumer) }, { inheritAppConfig: true });
  await app.startAllMicroservices();

  await app.listen(config.PORT, config.HOST);
  return app;
}
