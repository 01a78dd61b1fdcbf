import { Module } from '@nestjs/common';
import { TreeModule } from '../tree/tree.module';
import { UnitImporter } from './unit-importer';

@Module({ imports: [TreeModule], providers: [UnitImporter], exports: [UnitImporter] })
export class ImportModule {}
