/** What end-to-end tests and benchmarks need to run this service in process. */
export { UnitsRegistryModule } from './app.module';
export { UNITS_REGISTRY } from './service.definition';
export { CREATING, TreeService } from './tree/tree.service';
export { UnitImporter } from './import/unit-importer';
export { readVnAdmin, type VnAdminFile } from './import/vn-admin';
