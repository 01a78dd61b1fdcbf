import { Module } from '@nestjs/common';
import { PlacementRulesController } from './placement-rules.controller';
import { TreeRepository } from './tree.repository';
import { TreeService } from './tree.service';
import { UnitsController } from './units.controller';

@Module({
  controllers: [UnitsController, PlacementRulesController],
  providers: [TreeRepository, TreeService],
  exports: [TreeService, TreeRepository],
})
export class TreeModule {}
