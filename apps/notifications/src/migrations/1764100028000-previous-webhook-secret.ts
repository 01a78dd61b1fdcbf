import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The secret a rotation replaced, and until when deliveries are still signed with it beside
 * the new one: the integrator switches its receiver over without refusing a delivery.
 */
export class PreviousWebhookSecret1764100028000 implements MigrationInterface {
  name = 'PreviousWebhookSecret1764100028000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE webhooks ADD COLUMN previous_secret text, ADD COLUMN previous_secret_until timestamptz');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE webhooks DROP COLUMN previous_secret, DROP COLUMN previous_secret_until');
  }
}
