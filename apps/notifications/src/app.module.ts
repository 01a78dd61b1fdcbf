import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { PlatformModule, type Environment } from '@antq/platform';
import { UnitReplicaModule } from '@antq/unit-replica';
import { AlertingModule } from './alerting.module';
import { loadNotificationsConfig } from './config/notifications.config';
import { NOTIFICATIONS } from './service.definition';

@Module({})
export class NotificationsModule {
  static forRoot(env: Environment): DynamicModule {
    const config = loadNotificationsConfig(env);
    return {
      module: NotificationsModule,
      imports: [PlatformModule.forRoot(NOTIFICATIONS, env), ScheduleModule.forRoot(), UnitReplicaModule.forRoot(), AlertingModule.forRoot(config)],
    };
  }
}
