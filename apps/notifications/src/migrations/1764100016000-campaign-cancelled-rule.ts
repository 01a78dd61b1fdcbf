import type { MigrationInterface, QueryRunner } from 'typeorm';
import { LATER_RULES } from '../rules/default-rules';

/** Seeds the platform rule on campaigns called off, unless a rule of that name exists already. */
export class CampaignCancelledRule1764100016000 implements MigrationInterface {
  name = 'CampaignCancelledRule1764100016000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const rule of LATER_RULES.filter((r) => r.eventType === 'antq.campaigns.campaign-cancelled.v1')) {
      await queryRunner.query(
        `INSERT INTO alert_rules (id, name, description, event_type, condition, severity, template_vi, template_en, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'seed') ON CONFLICT DO NOTHING`,
        [rule.id, rule.name, rule.description, rule.eventType, JSON.stringify(rule.condition), rule.severity, rule.template.vi, rule.template.en],
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("DELETE FROM alert_rules WHERE event_type = 'antq.campaigns.campaign-cancelled.v1' AND updated_by = 'seed'");
  }
}
