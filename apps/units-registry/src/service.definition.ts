import { InboxRetention1764100008000, MessagingTables1764100000000 } from '@antq/messaging';
import type { ServiceDefinition } from '@antq/platform';
import { Units1764100002000 } from './migrations/1764100002000-units';
import { MoveDates1764100015000 } from './migrations/1764100015000-move-dates';

export const UNITS_REGISTRY: ServiceDefinition = {
  service: 'units-registry',
  // The tree is read and written through TreeRepository's SQL, not through ORM entities.
  entities: [],
  migrations: [MessagingTables1764100000000, InboxRetention1764100008000, Units1764100002000, MoveDates1764100015000],
};
