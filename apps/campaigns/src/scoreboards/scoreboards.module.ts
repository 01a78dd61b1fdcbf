import { Module } from '@nestjs/common';
import { ScoreboardRecompute } from './scoreboard.recompute';
import { ScoreboardService } from './scoreboard.service';
import { ScoreboardWorker } from './scoreboard.worker';
import { ScoreboardsController } from './scoreboards.controller';

@Module({
  controllers: [ScoreboardsController],
  providers: [ScoreboardService, ScoreboardRecompute, ScoreboardWorker],
  exports: [ScoreboardService, ScoreboardRecompute, ScoreboardWorker],
})
export class ScoreboardsModule {}
