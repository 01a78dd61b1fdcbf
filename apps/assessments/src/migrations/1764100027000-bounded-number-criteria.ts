import { Logger } from '@nestjs/common';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PROGRAMMES_V3 } from '../programmes/programmes-v3';

const CREATED_BY = 'seed-v3';

/**
 * Version 3 of safe-security-order (bounds on its number criteria), from the start of its
 * cycle 2027. Built on version 2: where the programme has had another version since (added
 * through the API), it is left as it is, with a warning, rather than undo that version's changes.
 */
export class BoundedNumberCriteria1764100027000 implements MigrationInterface {
  name = 'BoundedNumberCriteria1764100027000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [programme, { validFrom, definition }] of Object.entries(PROGRAMMES_V3)) {
      const [{ latest }] = (await queryRunner.query('SELECT max(version) AS latest FROM programme_versions WHERE programme = $1', [programme])) as { latest: number | null }[];
      if (latest !== 2) {
        new Logger(BoundedNumberCriteria1764100027000.name).warn(
          `${programme} is at version ${latest ?? 'none'}, not 2: the bounds of its number criteria were not added; add them in a new version through the API`,
        );
        continue;
      }
      await queryRunner.query('INSERT INTO programme_versions (programme, version, valid_from, definition, created_by) VALUES ($1, 3, $2, $3, $4)', [
        programme,
        validFrom,
        JSON.stringify(definition),
        CREATED_BY,
      ]);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DELETE FROM programme_versions WHERE created_by = $1', [CREATED_BY]);
  }
}
