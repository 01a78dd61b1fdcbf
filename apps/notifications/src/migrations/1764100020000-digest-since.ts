import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a subscriber last chose the digest: a digest lists nothing from before it, which was
 * emailed one by one then. Subscribers already reading the digest keep no bound.
 */
export class DigestSince1764100020000 implements MigrationInterface {
  name = 'DigestSince1764100020000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE preferences ADD COLUMN digest_since timestamptz');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE preferences DROP COLUMN digest_since');
  }
}
