import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor, CampaignReference, TargetDefinition, TargetKind, TargetState, UnitKind } from '@antq/contracts';
import { EventFactory, OutboxService } from '@antq/messaging';
import { Clock, ConflictError, ForbiddenError, InvalidInputError, NotFoundError, RuleViolationError } from '@antq/platform';
import { countedPage } from '@antq/persistence';
import { REPLICA_ANCESTORS_SQL } from '@antq/unit-replica';
import { notWholeGoal, type ActivityRequest, type AmendTargetRequest, type CampaignSearchQuery, type CancelCampaignRequest, type CreateCampaignRequest, type TargetInput } from './campaign.requests';
import { kindsCoveredDuring, programmeCoverage, type CoverageVersion } from './programme-coverage';
import { evaluationDate, shareDone } from './progress';
import { CAMPAIGN_COLUMNS, period, ProgressService, TARGET_COLUMNS } from './progress.service';
import { SUBTREE_AS_OF, type CampaignRow, type TargetRow } from './target-measure';

export interface Principal extends Actor {
  jurisdiction?: string[];
}

const MANAGERS = ['admin', 'campaign-manager'];

/**
 * The dates a campaign may span: the movement's plans from 2000 on, at most ten years long (a
 * 2021-2030 strategy), within this century. A date outside them is a slip (1900, 9999), not a plan.
 */
const EARLIEST_START = '2000-01-01';
const LATEST_END = '2100-12-31';
const LONGEST_YEARS = 10;

/** The administrative levels, highest first: a unit of one sits only below a unit of a higher one, never below an organisation. */
const LEVELS: readonly UnitKind[] = ['province', 'district', 'commune', 'residential-area'];

@Injectable()
export class CampaignsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly events: EventFactory,
    private readonly outbox: OutboxService,
    private readonly progress: ProgressService,
    private readonly clock: Clock,
  ) {}

  /** Plans a campaign: checked whole, stored with its event and, once started, its first evaluation. */
  async create(request: CreateCampaignRequest, actor: Principal) {
    if (request.periodStart > request.periodEnd) {
      throw new InvalidInputError(`The period starts (${request.periodStart}) after it ends (${request.periodEnd})`);
    }
    checkPeriodBounds(request.periodStart, request.periodEnd);
    const id = randomUUID();
    await this.dataSource.transaction(async (manager) => {
      const scopeKinds = await this.checkScope(manager, request, actor);
      const covered = await programmeCoverage(manager);
      const targets: TargetDefinition[] = [];
      for (const [position, input] of request.targets.entries()) {
        checkKindBelowScope(request.scopeUnitId, scopeKinds, input, position);
        const listed = await this.checkListInScope(manager, request, input, position);
        checkProgrammeCovers(covered, request, input, listed, position);
        targets.push(definition(input));
      }
      await manager.query('INSERT INTO campaigns (id, name, scope_unit_id, period_start, period_end, agency, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        id,
        request.name,
        request.scopeUnitId,
        request.periodStart,
        request.periodEnd,
        actor.agency,
        `${actor.agency}/${actor.principal}`,
      ]);
      for (const [position, t] of targets.entries()) {
        await manager.query(
          `INSERT INTO campaign_targets (id, campaign_id, position, kind, label, programme, status, unit_kind, mode, unit_ids, activity, goal)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [t.targetId, id, position, t.kind, t.label, t.programme, t.status, t.unitKind, t.mode, t.unitIds, t.activity, t.goal],
        );
      }
      await this.outbox.append(manager, [
        this.events.create({
          type: 'antq.campaigns.campaign-created.v1',
          subject: request.scopeUnitId,
          data: { campaignId: id, name: request.name, scopeUnitId: request.scopeUnitId, periodStart: request.periodStart, periodEnd: request.periodEnd, agency: actor.agency, targets },
        }),
      ]);
      await this.progress.evaluateNew(manager, id);
    });
    return this.get(id);
  }

  async get(id: string) {
    const [campaign] = (await this.dataSource.query(`SELECT ${CAMPAIGN_COLUMNS}, created_by, created_at FROM campaigns WHERE id = $1`, [id])) as (CampaignRow & {
      created_by: string;
      created_at: Date;
    })[];
    if (!campaign) throw new NotFoundError(`Campaign ${id} does not exist`);
    const targets = (await this.dataSource.query(`SELECT ${TARGET_COLUMNS} FROM campaign_targets WHERE campaign_id = $1 ORDER BY position`, [id])) as TargetRow[];
    const amendments = (await this.dataSource.query(
      `SELECT a.target_id, a.previous_goal::float8 AS previous_goal, a.goal::float8 AS goal, to_char(a.amended_on, 'YYYY-MM-DD') AS amended_on, a.reason, a.amended_by, a.amended_at
         FROM target_amendments a JOIN campaign_targets t ON t.id = a.target_id WHERE t.campaign_id = $1 ORDER BY a.amended_at`,
      [id],
    )) as AmendmentRow[];
    return {
      ...campaignView(campaign),
      createdBy: campaign.created_by,
      createdAt: campaign.created_at,
      targets: targets.map((t) => ({
        ...targetView(t),
        amendments: amendments
          .filter((a) => a.target_id === t.id)
          .map((a) => ({ previousGoal: a.previous_goal, goal: a.goal, on: a.amended_on, reason: a.reason, by: a.amended_by, at: a.amended_at })),
        progress: storedProgress(t),
      })),
    };
  }

  async list(query: CampaignSearchQuery) {
    const { total, rows } = await countedPage<CampaignRow>(
      this.dataSource,
      `SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE $1::uuid IS NULL OR scope_unit_id = $1::uuid`,
      // The id keeps the order total.
      'period_start DESC, name, id',
      [query.scopeUnitId ?? null],
      query,
    );
    return { total, offset: query.offset, limit: query.limit, items: rows.map(campaignView) };
  }

  /**
   * Progress as it stood on a date, from the history: read only, nothing stored or emitted.
   * The baseline is the captured one where the campaign has started. From the day a
   * campaign was called off, its progress is the one it kept then (`cancelledOn` says so).
   */
  async progressAsOf(id: string, asOf = this.clock.today()) {
    // A later date has not happened: measured from today's statuses it would read as a result.
    if (asOf > this.clock.today()) {
      throw new RuleViolationError(`asOf ${asOf} is after today (${this.clock.today()}): progress is known up to today, and its projection says where a target is heading`);
    }
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const [campaign] = (await manager.query(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1`, [id])) as CampaignRow[];
      if (!campaign) throw new NotFoundError(`Campaign ${id} does not exist`);
      const targets = (await manager.query(`SELECT ${TARGET_COLUMNS} FROM campaign_targets WHERE campaign_id = $1 ORDER BY position`, [id])) as TargetRow[];
      const kept = !!campaign.cancelled_on && campaign.cancelled_on <= asOf;
      const started = !!evaluationDate(period(campaign), asOf);
      // A goal amended after the date: the goal it replaced was the one in force then.
      const replaced = (await manager.query(
        `SELECT DISTINCT ON (target_id) target_id, previous_goal::float8 AS goal FROM target_amendments
          WHERE target_id = ANY($1::uuid[]) AND amended_on > $2::date ORDER BY target_id, amended_at`,
        [targets.map((t) => t.id), asOf],
      )) as { target_id: string; goal: number }[];
      const progress = [];
      for (const t of targets) {
        const goal = replaced.find((r) => r.target_id === t.id)?.goal ?? t.goal;
        const reading = kept ? storedProgress(t) : started ? await this.progress.progress(manager, campaign, { ...t, goal }, asOf) : null;
        progress.push({ targetId: t.id, label: t.label, kind: t.kind, progress: reading });
      }
      return { campaignId: id, asOf, ...(kept ? { cancelledOn: campaign.cancelled_on } : {}), targets: progress };
    });
  }

  /**
   * Calls a campaign off before its end (a plan replaced, a mistake): its targets are no
   * longer evaluated and keep the state they had; the scoreboards go on as before.
   */
  async cancel(campaignId: string, request: CancelCampaignRequest, actor: Principal) {
    await this.dataSource.transaction(async (manager) => {
      const [campaign] = (await manager.query(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1 FOR UPDATE`, [campaignId])) as CampaignRow[];
      if (!campaign) throw new NotFoundError(`Campaign ${campaignId} does not exist`);
      await this.checkAuthorityOver(manager, campaign, actor);
      if (campaign.cancelled_at) throw new ConflictError(`Campaign ${campaignId} was already cancelled (${campaign.cancelled_at.toISOString()} by ${campaign.cancelled_by})`);
      const today = this.clock.today();
      if (campaign.period_end < today) throw new ConflictError(`Campaign ${campaignId} ended on ${campaign.period_end}: its result stands and it can no longer be cancelled`);
      // Its targets keep the state they have on the day it is called off, measured that day.
      await this.progress.evaluate(manager, campaignId, today);
      const targets = (await manager.query('SELECT id, state FROM campaign_targets WHERE campaign_id = $1 ORDER BY position', [campaignId])) as { id: string; state: TargetState | null }[];
      await manager.query('UPDATE campaigns SET cancelled_at = now(), cancelled_on = $2, cancelled_by = $3, cancel_reason = $4 WHERE id = $1', [
        campaignId,
        today,
        `${actor.agency}/${actor.principal}`,
        request.reason,
      ]);
      await this.outbox.append(manager, [
        this.events.create({
          type: 'antq.campaigns.campaign-cancelled.v1',
          subject: campaign.scope_unit_id,
          data: { ...referenceTo(campaign), reason: request.reason, targets: targets.map((t) => ({ targetId: t.id, state: t.state })) },
        }),
      ]);
    });
    return this.get(campaignId);
  }

  /**
   * Revises a target's goal from today (a plan revised at a mid-year review), saying why: the
   * amendment keeps the goal it replaced, and the target is measured again at once. A list
   * target's goal is its named units, so it is not amended.
   */
  async amendTarget(campaignId: string, targetId: string, request: AmendTargetRequest, actor: Principal) {
    await this.dataSource.transaction(async (manager) => {
      const [campaign] = (await manager.query(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1 FOR UPDATE`, [campaignId])) as CampaignRow[];
      if (!campaign) throw new NotFoundError(`Campaign ${campaignId} does not exist`);
      await this.checkAuthorityOver(manager, campaign, actor);
      if (campaign.cancelled_at) throw new ConflictError(`Campaign ${campaignId} was cancelled: its targets are no longer amended`);
      const today = this.clock.today();
      if (campaign.period_end < today) throw new ConflictError(`Campaign ${campaignId} ended on ${campaign.period_end}: its result stands and its targets can no longer be amended`);
      const [target] = (await manager.query(`SELECT ${TARGET_COLUMNS} FROM campaign_targets WHERE id = $1 AND campaign_id = $2`, [targetId, campaignId])) as TargetRow[];
      if (!target) throw new NotFoundError(`Campaign ${campaignId} has no target ${targetId}`);
      if (target.kind === 'list') throw new RuleViolationError(`Target ${targetId} is a list target: its goal is its ${target.goal} named units and cannot be amended`);
      checkGoal(target.kind, request.goal);
      if (request.goal === target.goal) throw new RuleViolationError(`Target ${targetId}'s goal is already ${target.goal}`);
      const shape = inputOf(target);
      const label = request.label ?? (target.label === defaultLabel(shape, target.goal) ? defaultLabel(shape, request.goal) : target.label);
      await manager.query('UPDATE campaign_targets SET goal = $2, label = $3 WHERE id = $1', [targetId, request.goal, label]);
      await manager.query(
        'INSERT INTO target_amendments (id, target_id, previous_goal, goal, amended_on, reason, agency, amended_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [randomUUID(), targetId, target.goal, request.goal, today, request.reason, actor.agency, `${actor.agency}/${actor.principal}`],
      );
      await this.outbox.append(manager, [
        this.events.create({
          type: 'antq.campaigns.target-amended.v1',
          subject: campaign.scope_unit_id,
          data: {
            ...referenceTo(campaign),
            targetId,
            label,
            previousGoal: target.goal,
            goal: request.goal,
            amendedOn: today,
            reason: request.reason,
          },
        }),
      ]);
      await this.progress.evaluate(manager, campaignId, today);
    });
    return this.get(campaignId);
  }

  /**
   * Records activities held for an activity target; its progress follows in the same
   * transaction. With an idempotency key, a request the agency already made for the target
   * returns the activity it recorded, whatever has happened since (the campaign cancelled,
   * say); the same key for other activities is refused.
   */
  async recordActivity(campaignId: string, targetId: string, request: ActivityRequest, actor: Principal, idempotencyKey?: string) {
    const today = this.clock.today();
    return this.dataSource.transaction(async (manager) => {
      // Locked as the evaluation below locks it (a shared lock, taken by two activities at once,
      // could not be raised by either), after a cancellation in progress: it then reads the campaign cancelled.
      const [campaign] = (await manager.query(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1 FOR UPDATE`, [campaignId])) as CampaignRow[];
      if (!campaign) throw new NotFoundError(`Campaign ${campaignId} does not exist`);
      await this.checkAuthorityOver(manager, campaign, actor);
      const [target] = (await manager.query('SELECT kind FROM campaign_targets WHERE id = $1 AND campaign_id = $2', [targetId, campaignId])) as { kind: string }[];
      if (!target) throw new NotFoundError(`Campaign ${campaignId} has no target ${targetId}`);
      // The campaign's row lock lines up repeats of one request: the second finds the first's activity.
      if (idempotencyKey) {
        const recorded = await this.activityRecordedWith(manager, targetId, actor.agency, idempotencyKey);
        if (recorded) return sameActivity(recorded, request, idempotencyKey);
      }
      if (campaign.cancelled_at) throw new ConflictError(`Campaign ${campaignId} was cancelled: activities are no longer recorded for it`);
      if (target.kind !== 'activity') throw new RuleViolationError(`Target ${targetId} is a ${target.kind} target: activities are recorded only against activity targets`);
      if (request.occurredOn < campaign.period_start || request.occurredOn > campaign.period_end) {
        throw new RuleViolationError(`${request.occurredOn} is outside the campaign's period ${campaign.period_start}..${campaign.period_end}`);
      }
      if (request.occurredOn > today) throw new RuleViolationError(`${request.occurredOn} is in the future: record activities once held`);
      const id = randomUUID();
      await manager.query(
        'INSERT INTO target_activities (id, target_id, occurred_on, count, note, agency, recorded_by, idempotency_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [id, targetId, request.occurredOn, request.count ?? 1, request.note ?? null, actor.agency, `${actor.agency}/${actor.principal}`, idempotencyKey ?? null],
      );
      await this.progress.evaluate(manager, campaignId, today);
      return { id, targetId, occurredOn: request.occurredOn, count: request.count ?? 1, note: request.note ?? null, agency: actor.agency };
    });
  }

  private async activityRecordedWith(manager: EntityManager, targetId: string, agency: string, idempotencyKey: string): Promise<RecordedActivity | undefined> {
    const [row] = (await manager.query(
      `SELECT id, target_id AS "targetId", to_char(occurred_on, 'YYYY-MM-DD') AS "occurredOn", count, note, agency
         FROM target_activities WHERE target_id = $1 AND agency = $2 AND idempotency_key = $3`,
      [targetId, agency, idempotencyKey],
    )) as RecordedActivity[];
    return row;
  }

  /** Re-evaluates every campaign that is due (the daily job), one transaction each. */
  async evaluateDue(today = this.clock.today()): Promise<number> {
    const due = await this.progress.due(this.dataSource.manager, today);
    for (const id of due) await this.dataSource.transaction((manager) => this.progress.evaluate(manager, id, today));
    return due.length;
  }

  /**
   * Recomputes every started campaign's progress from the replicated history. The stored
   * progress is replaced where it differs (and the change emitted); returns how many targets differed.
   */
  async rebuild(): Promise<{ campaigns: number; targetsChanged: number }> {
    const today = this.clock.today();
    const ids = (await this.dataSource.query('SELECT id FROM campaigns WHERE period_start <= $1::date AND cancelled_at IS NULL ORDER BY id', [today])) as { id: string }[];
    let targetsChanged = 0;
    for (const { id } of ids) targetsChanged += await this.dataSource.transaction((manager) => this.progress.evaluate(manager, id, today));
    return { campaigns: ids.length, targetsChanged };
  }

  /** The scope exists during the period, within the actor's authority; returns its kinds then. */
  private async checkScope(manager: EntityManager, request: CreateCampaignRequest, actor: Principal): Promise<UnitKind[]> {
    const during = `valid_from <= $3::date AND (valid_to IS NULL OR valid_to > $2::date) AND status = 'active'`;
    const [unit] = (await manager.query(
      `SELECT bool_or(${during}) AS during, array_agg(DISTINCT kind) FILTER (WHERE ${during}) AS kinds FROM replica_unit_versions WHERE unit_id = $1`,
      [request.scopeUnitId, request.periodStart, request.periodEnd],
    )) as { during: boolean | null; kinds: UnitKind[] | null }[];
    if (unit.during === null) throw new RuleViolationError(`Unit ${request.scopeUnitId} is unknown`);
    if (!unit.during) throw new RuleViolationError(`Unit ${request.scopeUnitId} does not exist during ${request.periodStart}..${request.periodEnd}`);
    await this.checkAuthority(manager, request.scopeUnitId, actor);
    return unit.kinds ?? [];
  }

  /** Campaign managers plan within their jurisdiction; admins anywhere. */
  private async checkAuthority(manager: EntityManager, scopeUnitId: string, actor: Principal): Promise<void> {
    if (!actor.roles.some((r) => MANAGERS.includes(r))) throw new ForbiddenError(`Agency ${actor.agency} may not manage campaigns: that needs the role campaign-manager`);
    if (actor.roles.includes('admin')) return;
    const [{ path }] = (await manager.query(`SELECT ${REPLICA_ANCESTORS_SQL('$1::uuid')} AS path`, [scopeUnitId])) as { path: string[] }[];
    const roots = actor.jurisdiction ?? [];
    if (!roots.some((root) => root === scopeUnitId || path.includes(root))) {
      throw new ForbiddenError(`Unit ${scopeUnitId} is outside the jurisdiction of agency ${actor.agency}`);
    }
  }

  /**
   * A campaign is its owning agency's plan: agencies sharing a province (its police, Fatherland
   * Front, People's Committee) each plan their own, so only the owner's managers, within their
   * jurisdiction, or an admin change one.
   */
  private async checkAuthorityOver(manager: EntityManager, campaign: CampaignRow, actor: Principal): Promise<void> {
    await this.checkAuthority(manager, campaign.scope_unit_id, actor);
    if (actor.roles.includes('admin') || actor.agency === campaign.agency) return;
    throw new ForbiddenError(`Campaign ${campaign.id} belongs to agency ${campaign.agency}: only that agency's campaign managers or an admin may change it, not agency ${actor.agency}`);
  }

  /**
   * A named list must name units inside the scope, as it stood at the start or the end of the
   * period. Returns the kind of each unit it names.
   */
  private async checkListInScope(manager: EntityManager, request: CreateCampaignRequest, input: TargetInput, position: number): Promise<Map<string, UnitKind>> {
    const ids = input.kind === 'list' ? (input.unitIds ?? []) : [];
    if (!ids.length) return new Map();
    const known = (await manager.query(
      'SELECT DISTINCT ON (unit_id) unit_id, kind FROM replica_unit_versions WHERE unit_id = ANY($1::uuid[]) ORDER BY unit_id, version DESC',
      [ids],
    )) as { unit_id: string; kind: UnitKind }[];
    const kinds = new Map(known.map((k) => [k.unit_id, k.kind]));
    const unknown = ids.filter((id) => !kinds.has(id));
    if (unknown.length) throw new RuleViolationError(`targets[${position}]: unknown units ${unknown.join(', ')}`);
    const inside = new Set<string>();
    for (const date of [request.periodStart, request.periodEnd]) {
      const rows = (await manager.query(`${SUBTREE_AS_OF} SELECT unit_id FROM subtree WHERE unit_id = ANY($3::uuid[])`, [request.scopeUnitId, date, ids])) as { unit_id: string }[];
      rows.forEach((r) => inside.add(r.unit_id));
    }
    const outside = ids.filter((id) => !inside.has(id));
    if (outside.length) {
      throw new RuleViolationError(`targets[${position}]: units ${outside.join(', ')} are outside the scope ${request.scopeUnitId} during ${request.periodStart}..${request.periodEnd}`);
    }
    return kinds;
  }
}

interface RecordedActivity {
  id: string;
  targetId: string;
  occurredOn: string;
  count: number;
  note: string | null;
  agency: string;
}

/** The activity a key recorded, if the request repeats the one that recorded it; otherwise a 422 saying what differs. */
function sameActivity(recorded: RecordedActivity, request: ActivityRequest, idempotencyKey: string): RecordedActivity {
  const asked = { occurredOn: request.occurredOn, count: request.count ?? 1, note: request.note ?? null };
  const differs = (Object.keys(asked) as (keyof typeof asked)[]).filter((field) => asked[field] !== recorded[field]);
  if (differs.length) {
    const was = differs.map((field) => `${field} ${JSON.stringify(recorded[field])}`).join(', ');
    throw new RuleViolationError(`Idempotency-Key ${idempotencyKey} already recorded activity ${recorded.id} for this target, with ${was}: use a new key for other activities`);
  }
  return recorded;
}

/**
 * The programme must give a status to the units a target counts (drug-free never judges a
 * school): under no version in force during the period, the target could never be met.
 * Until the service has heard of the programme's versions, there is nothing to judge by.
 */
function checkProgrammeCovers(covered: Map<string, CoverageVersion[]>, request: CreateCampaignRequest, input: TargetInput, listed: Map<string, UnitKind>, position: number): void {
  if (input.kind === 'activity' || !input.programme) return;
  const kinds = kindsCoveredDuring(covered.get(input.programme) ?? [], request.periodStart, request.periodEnd);
  if (!kinds) return;
  const during = `during ${request.periodStart}..${request.periodEnd} (it covers ${[...kinds].join(', ')})`;
  if (input.unitKind && !kinds.has(input.unitKind)) {
    throw new RuleViolationError(`targets[${position}]: ${input.programme} gives no status to ${input.unitKind} units ${during}: the target could never be met`);
  }
  const outside = [...listed].filter(([, kind]) => !kinds.has(kind)).map(([unitId, kind]) => `${unitId} (${kind})`);
  if (outside.length) throw new RuleViolationError(`targets[${position}]: ${input.programme} gives no status to units ${outside.join(', ')} ${during}: the target could never be met`);
}

/** A period within the bounds a plan can have (its order is checked before). */
function checkPeriodBounds(start: string, end: string): void {
  if (start < EARLIEST_START) throw new InvalidInputError(`The period must start on or after ${EARLIEST_START} (it starts ${start})`);
  if (end > LATEST_END) throw new InvalidInputError(`The period must end by ${LATEST_END} (it ends ${end})`);
  // The same day ten years on, compared as text (from 29 February it sorts before 1 March): the period ends before it.
  if (end >= `${Number(start.slice(0, 4)) + LONGEST_YEARS}${start.slice(4)}`) {
    throw new InvalidInputError(`The period ${start}..${end} is longer than ${LONGEST_YEARS} years, the longest a campaign may run`);
  }
}

/**
 * A count or share target counts units of its kind below the scope (the scope itself is not
 * counted): one whose kind never sits there, as a province below a province or a commune below
 * a commune or a school, could never be met. Organisations sit at any level, so they are not judged.
 */
function checkKindBelowScope(scopeUnitId: string, scopeKinds: UnitKind[], input: TargetInput, position: number): void {
  if ((input.kind !== 'count' && input.kind !== 'share') || !input.unitKind) return;
  const level = LEVELS.indexOf(input.unitKind);
  if (level < 0 || !scopeKinds.length) return;
  const holds = (scopeKind: UnitKind) => LEVELS.includes(scopeKind) && LEVELS.indexOf(scopeKind) < level;
  if (!scopeKinds.some(holds)) {
    throw new RuleViolationError(
      `targets[${position}]: no ${input.unitKind} sits below a ${scopeKinds.join(' or ')}: the target counts the units below its scope ${scopeUnitId}, and could never be met`,
    );
  }
}

/** A validated target input as stored: the fields its kind uses, the others null. */
function definition(input: TargetInput): TargetDefinition {
  const units = input.kind !== 'activity';
  const goal = input.kind === 'list' ? (input.unitIds?.length ?? 0) : (input.goal ?? 0);
  checkGoal(input.kind, goal);
  return {
    targetId: randomUUID(),
    kind: input.kind,
    label: input.label ?? defaultLabel(input, goal),
    programme: units ? (input.programme ?? null) : null,
    status: units ? (input.status ?? 'recognised') : null,
    unitKind: input.kind === 'count' || input.kind === 'share' ? (input.unitKind ?? null) : null,
    mode: input.kind === 'count' ? (input.mode ?? null) : null,
    unitIds: input.kind === 'list' ? (input.unitIds ?? null) : null,
    activity: input.kind === 'activity' ? (input.activity ?? null) : null,
    goal,
  };
}

/** A goal its kind allows (the request's own checks have made sure it is a positive number). */
function checkGoal(kind: TargetKind, goal: number): void {
  if (kind === 'share' && goal > 100) throw new InvalidInputError('A share target’s goal is a percentage: at most 100');
  if ((kind === 'count' || kind === 'activity') && !Number.isInteger(goal)) throw new InvalidInputError(notWholeGoal(kind));
}

type TargetShape = Pick<TargetInput, 'kind' | 'mode' | 'unitKind' | 'status' | 'programme' | 'activity'>;

/** What a stored target was planned as, for its label. */
function inputOf(t: TargetRow): TargetShape {
  return { kind: t.kind, mode: t.mode ?? undefined, unitKind: t.unit_kind ?? undefined, status: t.status ?? undefined, programme: t.programme ?? undefined, activity: t.activity ?? undefined } as TargetShape;
}

function defaultLabel(input: TargetShape, goal: number): string {
  switch (input.kind) {
    case 'count':
      return `${input.mode === 'increase' ? `${goal} more` : goal} ${input.unitKind} units ${input.status ?? 'recognised'} ${input.programme}`;
    case 'share':
      return `${goal}% of ${input.unitKind} units ${input.status ?? 'recognised'} ${input.programme}`;
    case 'list':
      return `${goal} named units ${input.status ?? 'recognised'} ${input.programme}`;
    case 'activity':
      return `${goal} × ${input.activity}`;
  }
}

/** How the campaign's events name it. */
function referenceTo(c: CampaignRow): CampaignReference {
  return { campaignId: c.id, name: c.name, scopeUnitId: c.scope_unit_id };
}

function campaignView(c: CampaignRow) {
  const cancelled = c.cancelled_at ? { at: c.cancelled_at, on: c.cancelled_on, by: c.cancelled_by, reason: c.cancel_reason } : null;
  return { id: c.id, name: c.name, scopeUnitId: c.scope_unit_id, periodStart: c.period_start, periodEnd: c.period_end, agency: c.agency, cancelled };
}

interface AmendmentRow {
  target_id: string;
  previous_goal: number;
  goal: number;
  amended_on: string;
  reason: string;
  amended_by: string;
  amended_at: Date;
}

/** A target's progress as last evaluated and stored; null before its campaign starts. */
function storedProgress(t: TargetRow) {
  // Evaluation stores both together (and the migration that added the goal filled it in wherever a date was).
  if (!t.evaluated_on || t.evaluated_goal === null) return null;
  const goal = t.evaluated_goal;
  return { baseline: t.baseline, value: t.value, goal, shareDone: shareDone(t.value ?? 0, goal), projection: t.projection, state: t.state, evaluatedOn: t.evaluated_on };
}

function targetView(t: TargetRow) {
  return { id: t.id, kind: t.kind, label: t.label, programme: t.programme, status: t.status, unitKind: t.unit_kind, mode: t.mode, unitIds: t.unit_ids, activity: t.activity, goal: t.goal };
}
