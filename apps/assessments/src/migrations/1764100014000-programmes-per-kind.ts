import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PROGRAMMES_V2 } from '../programmes/programmes-v2';
import { seedShippedVersions, unseedShippedVersions } from '../programmes/shipped-versions';

const CREATED_BY = 'seed-v2';

/**
 * Version 2 of safe-security-order (residential areas' own 1 Nov cycle) and of
 * movement-classification (deadlines per kind), from the start of their cycle 2026, on version 1.
 */
export class ProgrammesPerKind1764100014000 implements MigrationInterface {
  name = 'ProgrammesPerKind1764100014000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await seedShippedVersions(queryRunner, PROGRAMMES_V2, 2, CREATED_BY, { migration: this.name, what: 'its per-kind cycles and deadlines were' });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await unseedShippedVersions(queryRunner, CREATED_BY);
  }
}
