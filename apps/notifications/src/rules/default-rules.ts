import type { AlertSeverity, EventType } from '@antq/contracts';
import type { Condition } from './condition';
import type { QueryRunner } from 'typeorm';

export interface RuleDefinition {
  id: string;
  name: string;
  description: string;
  eventType: EventType;
  condition: Condition;
  severity: AlertSeverity;
  template: { vi: string; en: string };
}

/** The rules the first migration seeded; alert managers change them through the API. */
export const DEFAULT_RULES: RuleDefinition[] = [
  {
    id: '6f1c8a2e-0d1b-4c55-9a53-000000000001',
    name: 'drug-free-status-lost',
    description: 'A unit recognised drug-free loses the status (revoked, lapsed, or a derived status falls).',
    eventType: 'antq.assessments.unit-status-changed.v1',
    condition: {
      all: [
        { field: 'programme', op: 'eq', value: 'drug-free' },
        { field: 'before.status', op: 'eq', value: 'recognised' },
        { field: 'after.status', op: 'in', value: ['revoked', 'not-recognised', 'lapsed', 'unit-closed'] },
      ],
    },
    severity: 'critical',
    template: {
      vi: '{{unit.name}} ({{unit.path}}) mất danh hiệu "không ma túy" từ ngày {{effectiveFrom}} (trạng thái mới: {{after.status}}).',
      en: '{{unit.name}} ({{unit.path}}) lost its drug-free status on {{effectiveFrom}} (now {{after.status}}).',
    },
  },
  {
    id: '6f1c8a2e-0d1b-4c55-9a53-000000000002',
    name: 'target-at-risk',
    description: 'A campaign target turns at risk before its deadline.',
    eventType: 'antq.campaigns.target-state-changed.v1',
    condition: { all: [{ field: 'state', op: 'eq', value: 'at-risk' }] },
    severity: 'warning',
    template: {
      vi: 'Chỉ tiêu {{targetId}} của {{unit.name}} có nguy cơ không đạt: {{value}}/{{goal}}, dự báo {{projection}} (ngày {{evaluatedOn}}).',
      en: 'Target {{targetId}} of {{unit.name}} is at risk: {{value}}/{{goal}}, projected {{projection}} (as of {{evaluatedOn}}).',
    },
  },
  {
    id: '6f1c8a2e-0d1b-4c55-9a53-000000000003',
    name: 'assessment-overdue',
    description: 'A cycle ended without a recognition of the unit under a programme.',
    eventType: 'antq.assessments.assessment-overdue.v1',
    condition: { all: [] },
    severity: 'warning',
    template: {
      vi: '{{unit.name}} ({{unit.path}}) chưa được công nhận "{{programme}}" chu kỳ {{cycle}} (hạn {{deadline}}).',
      en: '{{unit.name}} ({{unit.path}}) has no {{programme}} recognition for cycle {{cycle}} (deadline {{deadline}}).',
    },
  },
  {
    id: '6f1c8a2e-0d1b-4c55-9a53-000000000004',
    name: 'key-complex-area-designated',
    description: 'A unit is designated a key complex area on security and order.',
    eventType: 'antq.assessments.unit-status-changed.v1',
    condition: {
      all: [
        { field: 'programme', op: 'eq', value: 'key-complex-area' },
        { field: 'after.status', op: 'eq', value: 'designated' },
        { field: 'before.status', op: 'ne', value: 'designated' },
      ],
    },
    severity: 'info',
    template: {
      vi: '{{unit.name}} ({{unit.path}}) được xác định là địa bàn trọng điểm phức tạp về ANTT từ ngày {{effectiveFrom}}.',
      en: '{{unit.name}} ({{unit.path}}) was designated a key complex area on security and order from {{effectiveFrom}}.',
    },
  },
];

/**
 * drug-free-status-lost as a later migration revised it where nobody had changed it: a unit
 * closed by the tree (merged, split, dissolved, as 10,038 communes were on 1 July 2025) did
 * not lose its status to drugs, and one critical alert per closed unit would bury the ones
 * that matter. The registry's events tell of closures.
 */
export const STATUS_LOST_WITHOUT_CLOSURES: Pick<RuleDefinition, 'id' | 'description' | 'condition'> = {
  id: DEFAULT_RULES[0].id,
  description: 'A unit recognised drug-free loses the status (revoked, lapsed, or a derived status falls); not a unit closed by a tree change.',
  condition: {
    all: [
      { field: 'programme', op: 'eq', value: 'drug-free' },
      { field: 'before.status', op: 'eq', value: 'recognised' },
      { field: 'after.status', op: 'in', value: ['revoked', 'not-recognised', 'lapsed'] },
    ],
  },
};

/** Rules seeded by later migrations, for event types added since (an existing rule of the same name is kept). */
export const LATER_RULES: RuleDefinition[] = [
  {
    id: '6f1c8a2e-0d1b-4c55-9a53-000000000005',
    name: 'campaign-cancelled',
    description: 'A campaign is called off before its end; those responsible for its scope hear why.',
    eventType: 'antq.campaigns.campaign-cancelled.v1',
    condition: { all: [] },
    severity: 'info',
    template: {
      vi: 'Kế hoạch "{{name}}" của {{unit.name}} đã bị hủy: {{reason}}',
      en: 'Campaign "{{name}}" of {{unit.name}} was called off: {{reason}}',
    },
  },
  {
    id: '6f1c8a2e-0d1b-4c55-9a53-000000000006',
    name: 'target-amended',
    description: "A campaign target's goal is revised; those responsible for its scope hear the new goal and why.",
    eventType: 'antq.campaigns.target-amended.v1',
    condition: { all: [] },
    severity: 'info',
    template: {
      vi: 'Chỉ tiêu "{{label}}" của kế hoạch "{{name}}" ({{unit.name}}) được điều chỉnh từ {{previousGoal}} thành {{goal}}: {{reason}}',
      en: 'Target "{{label}}" of campaign "{{name}}" ({{unit.name}}) was revised from {{previousGoal}} to {{goal}}: {{reason}}',
    },
  },
];

/** Seeds the later rules for an event type (in a migration), keeping an existing rule of the same name. */
export async function seedLaterRules(queryRunner: QueryRunner, eventType: EventType): Promise<void> {
  for (const rule of LATER_RULES.filter((r) => r.eventType === eventType)) {
    await queryRunner.query(
      `INSERT INTO alert_rules (id, name, description, event_type, condition, severity, template_vi, template_en, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'seed') ON CONFLICT DO NOTHING`,
      [rule.id, rule.name, rule.description, rule.eventType, JSON.stringify(rule.condition), rule.severity, rule.template.vi, rule.template.en],
    );
  }
}

/** Removes the seeded rules of an event type that nobody has changed since. */
export async function unseedLaterRules(queryRunner: QueryRunner, eventType: EventType): Promise<void> {
  await queryRunner.query("DELETE FROM alert_rules WHERE event_type = $1 AND updated_by = 'seed'", [eventType]);
}
