import type { MigrationInterface, QueryRunner } from 'typeorm';
import { seedLaterRules, unseedLaterRules } from '../rules/default-rules';

/** Seeds the platform rule on campaigns called off, unless a rule of that name exists already. */
export class CampaignCancelledRule1764100016000 implements MigrationInterface {
  name = 'CampaignCancelledRule1764100016000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await seedLaterRules(queryRunner, 'antq.campaigns.campaign-cancelled.v1');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await unseedLaterRules(queryRunner, 'antq.campaigns.campaign-cancelled.v1');
  }
}
