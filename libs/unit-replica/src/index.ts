export * from './migrations/1764100001000-replica-units';
export * from './in-force.scheduler';
export * from './replica-unit.entity';
export * from './unit-replica.controller';
export * from './unit-replica.module';
export * from './unit-replica.repository';
export * from './unit-tree-observer';
export * from './replica-paths';
