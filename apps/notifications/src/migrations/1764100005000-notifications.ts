import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_RULES } from '../rules/default-rules';

export class Notifications1764100005000 implements MigrationInterface {
  name = 'Notifications1764100005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE alert_rules (
        id uuid PRIMARY KEY,
        name text NOT NULL UNIQUE,
        description text NOT NULL DEFAULT '',
        event_type text NOT NULL,
        condition jsonb NOT NULL,
        severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
        template_vi text NOT NULL,
        template_en text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        version int NOT NULL DEFAULT 1,
        updated_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX alert_rules_type_idx ON alert_rules (event_type) WHERE enabled');
    for (const rule of DEFAULT_RULES) {
      await queryRunner.query(
        `INSERT INTO alert_rules (id, name, description, event_type, condition, severity, template_vi, template_en, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'seed')`,
        [rule.id, rule.name, rule.description, rule.eventType, JSON.stringify(rule.condition), rule.severity, rule.template.vi, rule.template.en],
      );
    }
    // Agencies responsible for units: by default they hear of everything in their subtrees.
    await queryRunner.query(`
      CREATE TABLE responsibilities (
        agency text NOT NULL,
        unit_id uuid NOT NULL,
        PRIMARY KEY (unit_id, agency)
      )`);
    await queryRunner.query(`
      CREATE TABLE subscriptions (
        id uuid PRIMARY KEY,
        subscriber text NOT NULL,
        agency text NOT NULL,
        unit_id uuid,
        event_types text[] NOT NULL DEFAULT '{}',
        min_severity text NOT NULL DEFAULT 'info',
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX subscriptions_unit_idx ON subscriptions (unit_id)');
    await queryRunner.query(`
      CREATE TABLE preferences (
        subscriber text PRIMARY KEY,
        channels text[] NOT NULL DEFAULT '{feed}',
        email text,
        digest boolean NOT NULL DEFAULT false,
        quiet_start text,
        quiet_end text,
        time_zone text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY,
        agency text NOT NULL,
        url text NOT NULL,
        secret text NOT NULL,
        description text NOT NULL DEFAULT '',
        unit_id uuid,
        event_types text[] NOT NULL DEFAULT '{}',
        min_severity text NOT NULL DEFAULT 'info',
        enabled boolean NOT NULL DEFAULT true,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One alert per rule and fact: the unique dedupe key makes a second one impossible.
    await queryRunner.query(`
      CREATE TABLE alerts (
        id uuid PRIMARY KEY,
        dedupe_key text NOT NULL UNIQUE,
        rule_id uuid NOT NULL,
        rule_name text NOT NULL,
        severity text NOT NULL,
        unit_id text NOT NULL,
        unit_name text,
        unit_path text,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        event_time timestamptz NOT NULL,
        message_vi text NOT NULL,
        message_en text NOT NULL,
        data jsonb NOT NULL,
        recipients text[] NOT NULL,
        raised_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query('CREATE INDEX alerts_raised_idx ON alerts (raised_at DESC)');
    await queryRunner.query(`
      CREATE TABLE feed_items (
        id bigserial PRIMARY KEY,
        alert_id uuid NOT NULL REFERENCES alerts (id),
        recipient text NOT NULL,
        severity text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        read_by text,
        UNIQUE (recipient, alert_id)
      )`);
    await queryRunner.query('CREATE INDEX feed_items_recipient_idx ON feed_items (recipient, id DESC)');
    await queryRunner.query(`
      CREATE TABLE deliveries (
        id uuid PRIMARY KEY,
        alert_id uuid REFERENCES alerts (id),
        channel text NOT NULL CHECK (channel IN ('webhook', 'email')),
        kind text NOT NULL DEFAULT 'alert' CHECK (kind IN ('alert', 'digest')),
        recipient text NOT NULL,
        webhook_id uuid REFERENCES webhooks (id),
        target text NOT NULL,
        payload jsonb NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        -- attempts made before an operator re-sent a failed delivery: the budget starts again from here
        attempts_before_resend int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        held_reason text,
        lease_until timestamptz,
        last_status_code int,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    // One delivery per alert and webhook, and one email per alert and address.
    await queryRunner.query('CREATE UNIQUE INDEX deliveries_once_idx ON deliveries (alert_id, channel, COALESCE(webhook_id::text, target))');
    await queryRunner.query(`CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at) WHERE state = 'pending'`);
    await queryRunner.query('CREATE INDEX deliveries_alert_idx ON deliveries (alert_id)');
    await queryRunner.query(`
      CREATE TABLE delivery_attempts (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES deliveries (id),
        attempt int NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms int NOT NULL,
        status_code int,
        outcome text NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
        error text,
        UNIQUE (delivery_id, attempt)
      )`);
    await queryRunner.query(`
      CREATE TABLE dead_letters (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL UNIQUE REFERENCES deliveries (id),
        alert_id uuid,
        channel text NOT NULL,
        target text NOT NULL,
        attempts int NOT NULL,
        last_status_code int,
        last_error text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE digest_runs (
        subscriber text NOT NULL,
        digest_date date NOT NULL,
        delivery_id uuid REFERENCES deliveries (id),
        alerts int NOT NULL,
        covered_until timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (subscriber, digest_date)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['digest_runs', 'dead_letters', 'delivery_attempts', 'deliveries', 'feed_items', 'alerts', 'webhooks', 'preferences', 'subscriptions', 'responsibilities', 'alert_rules']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}
