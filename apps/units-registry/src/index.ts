/** What end-to-end tests and benchmarks need to run this service in process. */
export { UnitsRegistryModule } from './app.module';
export { UNITS_REGISTRY } from './service.definition';
