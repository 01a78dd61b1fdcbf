import { Logger } from '@nestjs/common';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PROGRAMMES_V2 } from '../programmes/programmes-v2';

const CREATED_BY = 'seed-v2';

/**
 * Version 2 of safe-security-order (residential areas' own 1 Nov cycle) and of
 * movement-classification (deadlines per kind), from the start of their cycle 2026. Both
 * are built on version 1: where a programme has had another version since (added through
 * the API), it is left as it is, with a warning, rather than undo that version's changes.
 */
export class ProgrammesPerKind1764100014000 implements MigrationInterface {
  name = 'ProgrammesPerKind1764100014000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [programme, { validFrom, definition }] of Object.entries(PROGRAMMES_V2)) {
      const [{ latest }] = (await queryRunner.query('SELECT max(version) AS latest FROM programme_versions WHERE programme = $1', [programme])) as { latest: number | null }[];
      // Version 2 is version 1 with the per-kind windows: over a version added since, it would undo that one's changes.
      if (latest !== 1) {
        new Logger(ProgrammesPerKind1764100014000.name).warn(
          `${programme} is at version ${latest ?? 'none'}, not 1: its per-kind cycles and deadlines were not added; add them in a new version through the API`,
        );
        continue;
      }
      await queryRunner.query(`INSERT INTO programme_versions (programme, version, valid_from, definition, created_by) VALUES ($1, 2, $2, $3, $4)`, [
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
