import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type Environment } from '@antq/platform';
import { UnitReplicaModule } from '@antq/unit-replica';
import { ScoreboardsModule } from './scoreboards/scoreboards.module';
import { ScoreboardTreeObserver } from './scoreboards/status-events.handler';
import { CAMPAIGNS } from './service.definition';

@Module({})
export class CampaignsModule {
  static forRoot(env: Environment): DynamicModule {
    return {
      module: CampaignsModule,
      imports: [
        PlatformModule.forRoot(CAMPAIGNS, env),
        ScoreboardsModule,
        UnitReplicaModule.forRoot({ imports: [ScoreboardsModule], observer: ScoreboardTreeObserver }),
      ],
    };
  }
}
