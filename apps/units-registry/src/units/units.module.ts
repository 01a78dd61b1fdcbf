import { Module } from '@nestjs/common';
import { CreateUnitUseCase } from './create-unit.use-case';
import { UnitsController } from './units.controller';

@Module({
  controllers: [UnitsController],
  providers: [CreateUnitUseCase],
})
export class UnitsModule {}
