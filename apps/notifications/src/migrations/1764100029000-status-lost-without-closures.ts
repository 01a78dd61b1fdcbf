import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_RULES, STATUS_LOST_WITHOUT_CLOSURES } from '../rules/default-rules';

/**
 * drug-free-status-lost no longer fires for units closed by a tree change, where it is still
 * as seeded: a rule an alert manager has changed is theirs, and is left as it is.
 */
export class StatusLostWithoutClosures1764100029000 implements MigrationInterface {
  name = 'StatusLostWithoutClosures1764100029000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const { id, description, condition } = STATUS_LOST_WITHOUT_CLOSURES;
    await queryRunner.query("UPDATE alert_rules SET description = $2, condition = $3, version = version + 1, updated_at = now() WHERE id = $1 AND updated_by = 'seed'", [
      id,
      description,
      JSON.stringify(condition),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const [{ id, description, condition }] = DEFAULT_RULES;
    await queryRunner.query("UPDATE alert_rules SET description = $2, condition = $3, version = version + 1, updated_at = now() WHERE id = $1 AND updated_by = 'seed'", [
      id,
      description,
      JSON.stringify(condition),
    ]);
  }
}
