import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each feed item records when a digest took it, so a digest lists every item no earlier
 * digest did, however late its transaction committed. Items already within a subscriber's
 * last digest are marked as taken.
 */
export class DigestedFeedItems1764100012000 implements MigrationInterface {
  name = 'DigestedFeedItems1764100012000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE feed_items ADD COLUMN digested_at timestamptz');
    await queryRunner.query(`
      UPDATE feed_items f SET digested_at = r.until
        FROM (SELECT subscriber, max(covered_until) AS until FROM digest_runs GROUP BY subscriber) r
       WHERE f.recipient = r.subscriber AND f.created_at <= r.until`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE feed_items DROP COLUMN digested_at');
  }
}
