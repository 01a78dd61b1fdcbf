import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Response } from 'express';
import { Public } from '@antq/auth';
import { ServiceConfig } from './service-config';

/** Compares secrets in constant time, whatever their lengths (by their digests). */
const sameSecret = (given: string, expected: string) => timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());

/**
 * Prometheus metrics. Outside the platform's identity, like the health endpoints: a scraper
 * holds no agency's token. Where METRICS_TOKEN is set, only a scraper sending it as a bearer
 * token reads them (the figures name alert rules and topics).
 */
@ApiExcludeController()
@Public()
@Controller()
export class MetricsController extends PrometheusController {
  constructor(private readonly config: ServiceConfig) {
    super();
  }

  @Get()
  override index(@Res({ passthrough: true }) response: Response) {
    const token = this.config.METRICS_TOKEN;
    if (token && !sameSecret(response.req.headers.authorization ?? '', `Bearer ${token}`)) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new UnauthorizedException('GET /metrics needs the bearer token this service was given in METRICS_TOKEN');
    }
    return super.index(response);
  }
}
