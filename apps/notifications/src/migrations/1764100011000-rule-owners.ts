import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An alert rule's owning agency: an alert-manager may change or disable only its own
 * agency's rules. Rules that exist already (the seeded ones among them) become platform
 * rules (no owner), which only an admin may change.
 */
export class AlertRuleOwners1764100011000 implements MigrationInterface {
  name = 'AlertRuleOwners1764100011000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE alert_rules ADD COLUMN owner_agency text');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE alert_rules DROP COLUMN owner_agency');
  }
}
