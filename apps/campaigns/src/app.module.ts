import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { PlatformModule, type Environment, type PlatformOptions } from '@antq/platform';
import { UnitReplicaModule } from '@antq/unit-replica';
import { CampaignTargetsModule } from './campaigns/campaign-targets.module';
import { ScoreboardsModule } from './scoreboards/scoreboards.module';
import { SourcesModule } from './sources/sources.module';
import { CampaignsTreeObserver } from './sources/status-events.handler';
import { CAMPAIGNS } from './service.definition';

@Module({})
export class CampaignsModule {
  static forRoot(env: Environment, options: PlatformOptions = {}): DynamicModule {
    return {
      module: CampaignsModule,
      imports: [
        PlatformModule.forRoot(CAMPAIGNS, env, options),
        ScheduleModule.forRoot(),
        ScoreboardsModule,
        CampaignTargetsModule,
        SourcesModule,
        UnitReplicaModule.forRoot({ imports: [SourcesModule], observer: CampaignsTreeObserver }),
      ],
    };
  }
}
