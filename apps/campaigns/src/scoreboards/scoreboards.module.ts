import { Module } from '@nestjs/common';
import { ScoreboardRecompute } from './scoreboard.recompute';
import { ScoreboardService } from './scoreboard.service';
import { ScoreboardsController } from './scoreboards.controller';
import { ScoreboardTreeObserver, StatusEventsHandler } from './status-events.handler';

@Module({
  controllers: [StatusEventsHandler, ScoreboardsController],
  providers: [ScoreboardService, ScoreboardRecompute, ScoreboardTreeObserver],
  exports: [ScoreboardService, ScoreboardRecompute, ScoreboardTreeObserver],
})
export class ScoreboardsModule {}
