import type { MigrationInterface, QueryRunner } from 'typeorm';
import { seedLaterRules, unseedLaterRules } from '../rules/default-rules';

/** Seeds the platform rule on campaign targets revised, unless a rule of that name exists already. */
export class TargetAmendedRule1764100018000 implements MigrationInterface {
  name = 'TargetAmendedRule1764100018000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await seedLaterRules(queryRunner, 'antq.campaigns.target-amended.v1');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await unseedLaterRules(queryRunner, 'antq.campaigns.target-amended.v1');
  }
}
