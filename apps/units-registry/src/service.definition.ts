import { MessagingTables1764100000000 } from '@antq/messaging';
import type { ServiceDefinition } from '@antq/platform';
import { Units1764100002000 } from './migrations/1764100002000-units';
import { UnitVersion } from './units/unit-version.entity';
import { Unit } from './units/unit.entity';

export const UNITS_REGISTRY: ServiceDefinition = {
  service: 'units-registry',
  defaultPort: 3101,
  entities: [Unit, UnitVersion],
  migrations: [MessagingTables1764100000000, Units1764100002000],
};
