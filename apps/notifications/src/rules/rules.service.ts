import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor, AlertSeverity, EventType } from '@antq/contracts';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '@antq/platform';
import { isAdmin } from '../subscriptions/agency-scope';
import { validateCondition, type Condition } from './condition';
import { ALERTABLE_EVENT_TYPES, isAlertableEventType } from './event-fields';
import type { RuleRequest } from './rule.requests';
import { validateTemplate } from './template';

const RULE_CACHE_MS = 1_000;

export interface AlertRule {
  id: string;
  name: string;
  description: string;
  eventType: EventType;
  condition: Condition;
  severity: AlertSeverity;
  template: { vi: string; en: string };
  enabled: boolean;
  /** The agency whose alert-manager owns the rule; null for a platform rule, which only an admin may change. */
  ownerAgency: string | null;
  version: number;
  updatedBy: string;
  updatedAt: string;
}

interface RuleRow {
  id: string;
  name: string;
  description: string;
  event_type: EventType;
  condition: Condition;
  severity: AlertSeverity;
  template_vi: string;
  template_en: string;
  enabled: boolean;
  owner_agency: string | null;
  version: number;
  updated_by: string;
  updated_at: Date;
}

const toRule = (row: RuleRow): AlertRule => ({
  id: row.id,
  name: row.name,
  description: row.description,
  eventType: row.event_type,
  condition: row.condition,
  severity: row.severity,
  template: { vi: row.template_vi, en: row.template_en },
  enabled: row.enabled,
  ownerAgency: row.owner_agency,
  version: row.version,
  updatedBy: row.updated_by,
  updatedAt: row.updated_at.toISOString(),
});

/** Every problem of a rule: its event type, condition and templates, checked against the event's schema. */
export function ruleProblems(request: Pick<RuleRequest, 'eventType' | 'condition' | 'template'>): string[] {
  if (!isAlertableEventType(request.eventType)) {
    return [`eventType: "${request.eventType}" is not an event type alerts can be raised on (known: ${ALERTABLE_EVENT_TYPES.join(', ')})`];
  }
  return [
    ...validateCondition(request.eventType, request.condition),
    ...validateTemplate(request.eventType, request.template.vi, 'template.vi'),
    ...validateTemplate(request.eventType, request.template.en, 'template.en'),
  ];
}

/** Alert rules are data: an event type, a condition, a severity and a message in two languages. */
@Injectable()
export class RulesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(): Promise<AlertRule[]> {
    return ((await this.dataSource.query('SELECT * FROM alert_rules ORDER BY name')) as RuleRow[]).map(toRule);
  }

  async get(id: string): Promise<AlertRule> {
    const [row] = (await this.dataSource.query('SELECT * FROM alert_rules WHERE id = $1', [id])) as RuleRow[];
    if (!row) throw new NotFoundError(`Alert rule ${id} does not exist`);
    return toRule(row);
  }

  /**
   * The enabled rules for an event type. Kept for a second: a change made through this
   * instance applies at once, one made through another instance within a second.
   */
  async forEvent(manager: EntityManager, type: string): Promise<AlertRule[]> {
    const cached = this.cache.get(type);
    if (cached && Date.now() - cached.at < RULE_CACHE_MS) return cached.rules;
    const rules = ((await manager.query('SELECT * FROM alert_rules WHERE event_type = $1 AND enabled ORDER BY id', [type])) as RuleRow[]).map(toRule);
    this.cache.set(type, { at: Date.now(), rules });
    return rules;
  }

  private readonly cache = new Map<string, { at: number; rules: AlertRule[] }>();

  async create(request: RuleRequest, actor: Actor): Promise<AlertRule> {
    this.check(request);
    const id = randomUUID();
    await this.write(
      `INSERT INTO alert_rules (id, name, description, event_type, condition, severity, template_vi, template_en, enabled, updated_by, owner_agency)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        id,
        request.name,
        request.description ?? '',
        request.eventType,
        JSON.stringify(request.condition),
        request.severity,
        request.template.vi,
        request.template.en,
        request.enabled ?? true,
        `${actor.agency}/${actor.principal}`,
        // An admin's rule is the platform's; an alert-manager's belongs to its agency.
        isAdmin(actor) ? null : actor.agency,
      ],
      request.name,
    );
    return this.get(id);
  }

  async replace(id: string, request: RuleRequest, actor: Actor): Promise<AlertRule> {
    this.requireOwner(actor, await this.get(id), 'change');
    this.check(request);
    await this.write(
      `UPDATE alert_rules SET name = $2, description = $3, event_type = $4, condition = $5, severity = $6, template_vi = $7, template_en = $8,
              enabled = $9, updated_by = $10, version = version + 1, updated_at = now() WHERE id = $1`,
      [id, request.name, request.description ?? '', request.eventType, JSON.stringify(request.condition), request.severity, request.template.vi, request.template.en, request.enabled ?? true, `${actor.agency}/${actor.principal}`],
      request.name,
    );
    return this.get(id);
  }

  /** Rules are disabled rather than deleted: the alerts they raised keep pointing at them. */
  async disable(id: string, actor: Actor): Promise<AlertRule> {
    this.requireOwner(actor, await this.get(id), 'disable');
    await this.dataSource.query('UPDATE alert_rules SET enabled = false, version = version + 1, updated_by = $2, updated_at = now() WHERE id = $1', [id, `${actor.agency}/${actor.principal}`]);
    this.cache.clear();
    return this.get(id);
  }

  /**
   * Rules are shared: every agency's alerts come from them. An admin may change any; an
   * alert-manager only the rules its own agency added, never the platform's or another agency's.
   */
  private requireOwner(actor: Actor, rule: AlertRule, what: string): void {
    if (isAdmin(actor) || (rule.ownerAgency !== null && rule.ownerAgency === actor.agency)) return;
    throw new ForbiddenError(
      rule.ownerAgency === null
        ? `Rule "${rule.name}" is a platform rule shared by every agency: only an admin may ${what} it`
        : `Rule "${rule.name}" belongs to agency ${rule.ownerAgency}: only its alert-managers or an admin may ${what} it`,
    );
  }

  private check(request: RuleRequest): void {
    const problems = ruleProblems(request);
    if (problems.length) throw new InvalidInputError(`Invalid alert rule: ${problems.join('; ')}`, { problems });
  }

  /** Names are unique: checked under a lock on the name, so two writers cannot both pass. */
  private async write(sql: string, params: unknown[], name: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`alert-rule:${name}`]);
      const [taken] = (await manager.query('SELECT id FROM alert_rules WHERE name = $1 AND id <> $2', [name, params[0]])) as unknown[];
      if (taken) throw new ConflictError(`An alert rule named "${name}" already exists`);
      await manager.query(sql, params);
    });
    this.cache.clear();
  }
}
