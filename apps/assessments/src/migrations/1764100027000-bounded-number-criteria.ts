import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PROGRAMMES_V3 } from '../programmes/programmes-v3';
import { seedShippedVersions, unseedShippedVersions } from '../programmes/shipped-versions';

const CREATED_BY = 'seed-v3';

/** Version 3 of safe-security-order (bounds on its number criteria), from the start of its cycle 2027, on version 2. */
export class BoundedNumberCriteria1764100027000 implements MigrationInterface {
  name = 'BoundedNumberCriteria1764100027000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await seedShippedVersions(queryRunner, PROGRAMMES_V3, 3, CREATED_BY, { migration: this.name, what: 'the bounds of its number criteria were' });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await unseedShippedVersions(queryRunner, CREATED_BY);
  }
}
