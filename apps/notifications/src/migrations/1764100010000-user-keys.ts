import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users are keyed by agency and principal (`user:<agency>/<sub>`), no longer by the
 * principal alone (`user:<sub>`). Subscriptions know their agency and move with it. A user's
 * preferences, feed items, email deliveries, digests and alert recipients move where the old
 * key's subscriptions all belong to one agency; where two agencies shared a principal, their
 * data cannot be told apart and stays under the old key, which no one reads any more.
 */
export class NotificationUserKeys1764100010000 implements MigrationInterface {
  name = 'NotificationUserKeys1764100010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TEMPORARY TABLE user_key_moves ON COMMIT DROP AS
      SELECT subscriber AS old_key, 'user:' || min(agency) || '/' || substr(subscriber, 6) AS new_key
        FROM subscriptions WHERE subscriber LIKE 'user:%' GROUP BY subscriber HAVING count(DISTINCT agency) = 1`);
    await queryRunner.query(`UPDATE preferences p SET subscriber = m.new_key FROM user_key_moves m WHERE p.subscriber = m.old_key`);
    await queryRunner.query(`UPDATE feed_items f SET recipient = m.new_key FROM user_key_moves m WHERE f.recipient = m.old_key`);
    await queryRunner.query(`UPDATE deliveries d SET recipient = m.new_key FROM user_key_moves m WHERE d.recipient = m.old_key`);
    await queryRunner.query(`UPDATE digest_runs r SET subscriber = m.new_key FROM user_key_moves m WHERE r.subscriber = m.old_key`);
    await queryRunner.query(`
      UPDATE alerts a SET recipients = ARRAY(
          SELECT COALESCE(m.new_key, r.key) FROM unnest(a.recipients) WITH ORDINALITY AS r(key, n) LEFT JOIN user_key_moves m ON m.old_key = r.key ORDER BY r.n)
       WHERE a.recipients && (SELECT array_agg(old_key) FROM user_key_moves)`);
    await queryRunner.query(`UPDATE subscriptions SET subscriber = 'user:' || agency || '/' || substr(subscriber, 6) WHERE subscriber LIKE 'user:%'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Back to the principal alone: the part after the agency (agency codes hold no slash).
    const strip = (column: string) => `'user:' || substr(${column}, strpos(${column}, '/') + 1)`;
    await queryRunner.query(`UPDATE subscriptions SET subscriber = ${strip('subscriber')} WHERE subscriber LIKE 'user:%/%'`);
    await queryRunner.query(`UPDATE preferences SET subscriber = ${strip('subscriber')} WHERE subscriber LIKE 'user:%/%'`);
    await queryRunner.query(`UPDATE feed_items SET recipient = ${strip('recipient')} WHERE recipient LIKE 'user:%/%'`);
    await queryRunner.query(`UPDATE deliveries SET recipient = ${strip('recipient')} WHERE recipient LIKE 'user:%/%'`);
    await queryRunner.query(`UPDATE digest_runs SET subscriber = ${strip('subscriber')} WHERE subscriber LIKE 'user:%/%'`);
    await queryRunner.query(`
      UPDATE alerts SET recipients = ARRAY(
          SELECT CASE WHEN r.key LIKE 'user:%/%' THEN ${strip('r.key')} ELSE r.key END FROM unnest(recipients) WITH ORDINALITY AS r(key, n) ORDER BY r.n)
       WHERE EXISTS (SELECT 1 FROM unnest(recipients) AS k WHERE k LIKE 'user:%/%')`);
  }
}
