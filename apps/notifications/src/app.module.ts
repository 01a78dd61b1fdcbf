import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type Environment } from '@antq/platform';
import { UnitReplicaModule } from '@antq/unit-replica';
import { NOTIFICATIONS } from './service.definition';

@Module({})
export class NotificationsModule {
  static forRoot(env: Environment): DynamicModule {
    return { module: NotificationsModule, imports: [PlatformModule.forRoot(NOTIFICATIONS, env), UnitReplicaModule.forRoot()] };
  }
}
