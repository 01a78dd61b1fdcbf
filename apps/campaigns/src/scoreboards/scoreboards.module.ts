import { Module } from '@nestjs/common';
import { ScoreboardRecompute } from './scoreboard.recompute';
import { ScoreboardService } from './scoreboard.service';
import { ScoreboardsController } from './scoreboards.controller';

@Module({
  controllers: [ScoreboardsController],
  providers: [ScoreboardService, ScoreboardRecompute],
  exports: [ScoreboardService, ScoreboardRecompute],
})
export class ScoreboardsModule {}
