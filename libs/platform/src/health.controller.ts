import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '@antq/auth';
import { ConsumerHealthIndicator, KafkaHealthIndicator } from '@antq/messaging';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly consumer: ConsumerHealthIndicator,
  ) {}

  /** The process is alive and serving, and its event consumer has not stopped for good (a restart is then the cure). */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([() => this.consumer.isConsuming()]);
  }

  /** The service can do its work: its database and the broker answer, and it consumes. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2_000 }),
      () => this.kafka.isHealthy('kafka'),
      () => this.consumer.isConsuming(),
    ]);
  }
}
