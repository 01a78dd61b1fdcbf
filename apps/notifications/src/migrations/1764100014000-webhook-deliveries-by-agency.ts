import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An agency sees the alerts sent to its webhooks: their deliveries are found by recipient (the
 * agency) rather than by scanning every delivery.
 */
export class WebhookDeliveriesByAgency1764100014000 implements MigrationInterface {
  name = 'WebhookDeliveriesByAgency1764100014000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX deliveries_webhook_recipient_idx ON deliveries (recipient, alert_id) WHERE channel = 'webhook'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX deliveries_webhook_recipient_idx');
  }
}
