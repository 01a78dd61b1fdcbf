import 'reflect-metadata';
import { runService } from '@antq/platform';
import { UnitsRegistryModule } from './app.module';
import { UNITS_REGISTRY } from './service.definition';

runService(UNITS_REGISTRY, (env) => UnitsRegistryModule.forRoot(env), {
  title: 'ANTQ units registry',
  description: 'The unit tree: provinces, communes, agencies, enterprises and schools, with history and lineage.',
});
