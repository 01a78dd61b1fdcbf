import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each feed item records whether its email was held for the digest: a digest sends what is
 * held and not yet taken, whenever it came and whatever its reader chose since, so no email
 * owed is lost. Items the next digest would have listed are marked as held; the bound the
 * digest used until now (preferences.digest_since) then goes.
 */
export class FeedItemsHeldForDigest1764100022000 implements MigrationInterface {
  name = 'FeedItemsHeldForDigest1764100022000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE feed_items ADD COLUMN held_for_digest boolean NOT NULL DEFAULT false');
    await queryRunner.query('CREATE INDEX feed_items_held_for_digest_idx ON feed_items (recipient) WHERE held_for_digest AND digested_at IS NULL');
    // The window the digest used until now: after its reader chose it, and no earlier than 6 hours before its last run (a day without one).
    await queryRunner.query(`
      UPDATE feed_items f SET held_for_digest = true
        FROM preferences p
        LEFT JOIN (SELECT subscriber, max(covered_until) AS until FROM digest_runs GROUP BY subscriber) r ON r.subscriber = p.subscriber
       WHERE f.recipient = p.subscriber AND p.digest AND 'email' = ANY(p.channels) AND p.email IS NOT NULL
         AND f.digested_at IS NULL AND f.severity <> 'critical'
         AND f.created_at > GREATEST(p.digest_since, COALESCE(r.until - interval '6 hours', now() - interval '1 day'))`);
    await queryRunner.query('ALTER TABLE preferences DROP COLUMN digest_since');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE preferences ADD COLUMN digest_since timestamptz');
    await queryRunner.query('ALTER TABLE feed_items DROP COLUMN held_for_digest');
  }
}
