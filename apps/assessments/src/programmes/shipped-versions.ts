import { Logger } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import type { ProgrammeCode } from '@antq/contracts';
import type { ShippedVersion } from './programmes-v2';

/**
 * Writes, in a migration, programme versions shipped with the platform as version `version`,
 * each built on the version before. Where a programme has had another version since (added
 * through the API), it is left as it is, with a warning saying what was not added, rather
 * than undo that version's changes. Written unpublished: the service publishes them when it starts.
 */
export async function seedShippedVersions(
  queryRunner: QueryRunner,
  shipped: Partial<Record<ProgrammeCode, ShippedVersion>>,
  version: number,
  createdBy: string,
  notAdded: { migration: string; what: string },
): Promise<void> {
  for (const [programme, { validFrom, definition }] of Object.entries(shipped)) {
    const [{ latest }] = (await queryRunner.query('SELECT max(version) AS latest FROM programme_versions WHERE programme = $1', [programme])) as { latest: number | null }[];
    if (latest !== version - 1) {
      new Logger(notAdded.migration).warn(`${programme} is at version ${latest ?? 'none'}, not ${version - 1}: ${notAdded.what} not added; add them in a new version through the API`);
      continue;
    }
    await queryRunner.query('INSERT INTO programme_versions (programme, version, valid_from, definition, created_by) VALUES ($1, $2, $3, $4, $5)', [
      programme,
      version,
      validFrom,
      JSON.stringify(definition),
      createdBy,
    ]);
  }
}

/** Undoes `seedShippedVersions`. */
export async function unseedShippedVersions(queryRunner: QueryRunner, createdBy: string): Promise<void> {
  await queryRunner.query('DELETE FROM programme_versions WHERE created_by = $1', [createdBy]);
}
