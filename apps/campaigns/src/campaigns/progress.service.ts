import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CloudEvent, TargetProgressData, TargetState } from '@antq/contracts';
import { atBatchEnd, EventFactory, OutboxService } from '@antq/messaging';
import { Clock } from '@antq/platform';
import { REPLICA_ANCESTORS_ON_SQL, REPLICA_ANCESTORS_SQL } from '@antq/unit-replica';
import { addDays, assess, evaluationDate, type Progress } from './progress';
import { measure, type CampaignRow, type TargetRow } from './target-measure';

/** Progress is the platform's own evaluation: it reports it under its own name. */
export const PROGRESS_ACTOR = { agency: 'antq-campaigns', principal: 'progress', roles: [] };

export const CAMPAIGN_COLUMNS = `id, name, scope_unit_id, to_char(period_start, 'YYYY-MM-DD') AS period_start,
  to_char(period_end, 'YYYY-MM-DD') AS period_end, agency, cancelled_at, to_char(cancelled_on, 'YYYY-MM-DD') AS cancelled_on, cancelled_by, cancel_reason`;

export const TARGET_COLUMNS = `id, campaign_id, position, kind, label, programme, status, unit_kind, mode, unit_ids, activity,
  goal::float8 AS goal, baseline::float8 AS baseline, value::float8 AS value, projection::float8 AS projection, state,
  evaluated_goal::float8 AS evaluated_goal, to_char(evaluated_on, 'YYYY-MM-DD') AS evaluated_on, transitions`;

export interface TargetProgress extends Progress {
  baseline: number;
}

/** Serialises the progress worker's passes across instances. */
const PROGRESS_LOCK = 0x70726f67;

/** NOTIFY channel of `progress_queue` (its trigger): the worker wakes when units are queued. */
export const PROGRESS_CHANNEL = 'antq_progress';

/**
 * Held shared by every batch from before it decides whether its changes can move a campaign
 * until it commits, and exclusively by a campaign being planned for its first evaluation:
 * either the batch queues its changes for the new campaign, or the campaign's evaluation
 * reads them.
 */
export const CAMPAIGN_SET_LOCK = 0x63616d70;

/**
 * For units $1 changed from dates $2: their ancestors on every date $3 a started campaign is
 * measured on that is not before the change. A change dated today ($4) is measured today
 * only, where the current tree (the replica's tree in force) already gives its ancestors:
 * only backdated ones are asked.
 */
const ANCESTORS_ON_MEASURED_DATES = `
  WITH RECURSIVE asked AS (
    SELECT x.unit_id, m.on_date FROM unnest($1::uuid[], $2::date[]) AS x(unit_id, from_date) JOIN unnest($3::date[]) AS m(on_date) ON m.on_date >= x.from_date
     WHERE x.from_date < $4::date
  ), ${REPLICA_ANCESTORS_ON_SQL('asked')}
  SELECT unit_id, array_agg(DISTINCT ancestor) AS path FROM ancestors_on GROUP BY unit_id`;

/** What changed about a unit: from which date, and under which programmes (null: all, as a tree change moves every programme's counts). */
interface UnitChanges {
  from: string;
  programmes: Set<string> | null;
}

/** Adds a change to what is known of a unit: the earlier date, and the programmes together. */
function mergeChange(changes: Map<string, UnitChanges>, unitId: string, from: string, programmes: ReadonlySet<string> | null): void {
  const known = changes.get(unitId);
  if (!known) return void changes.set(unitId, { from, programmes: programmes && new Set(programmes) });
  if (from < known.from) known.from = from;
  if (!programmes) known.programmes = null;
  else programmes.forEach((p) => known.programmes?.add(p));
}

/** What each marked unit changed, per batch transaction. */
const changedByTransaction = new WeakMap<EntityManager, Map<string, UnitChanges>>();

/**
 * Evaluates targets: on every change that can move them (statuses and tree changes, once
 * per batch; activities; a new campaign) and daily, since deadlines pass without events.
 * Each evaluation is stored; an event goes out only when the progress moved, and a
 * state-changed event only on a transition, however many events caused it.
 */
@Injectable()
export class ProgressService {
  constructor(
    private readonly events: EventFactory,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  /**
   * A unit's status or place changed from a date: at the end of the batch it is queued for the
   * progress worker, which re-evaluates the campaigns that count it.
   */
  async unitChanged(manager: EntityManager, unitId: string, from: string, programme?: string): Promise<void> {
    let changed = changedByTransaction.get(manager);
    if (!changed) changedByTransaction.set(manager, (changed = new Map()));
    mergeChange(changed, unitId, from, programme === undefined ? null : new Set([programme]));
    await atBatchEnd(manager, 'targets', async () => {
      const work = changedByTransaction.get(manager);
      changedByTransaction.delete(manager);
      if (work) await this.queueAffected(manager, work);
    });
  }

  /**
   * Queues a batch's changed units, in its transaction, when a started campaign could count
   * them. The worker evaluates after the batch commits, from the committed tree and statuses,
   * once for every batch that queued meanwhile: batches of different partitions or instances
   * never wait for each other's evaluations, and a campaign is evaluated once for many batches.
   */
  private async queueAffected(manager: EntityManager, changed: Map<string, UnitChanges>): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock_shared($1)', [CAMPAIGN_SET_LOCK]);
    // Most batches (a national reorganisation, say) meet no campaign at all: nothing to queue then.
    const [{ started }] = (await manager.query(
      `SELECT EXISTS (SELECT 1 FROM campaigns c WHERE c.period_start <= $1::date AND c.cancelled_at IS NULL
                        AND EXISTS (SELECT 1 FROM campaign_targets t WHERE t.campaign_id = c.id AND t.kind <> 'activity')) AS started`,
      [this.clock.today()],
    )) as { started: boolean }[];
    if (!started) return;
    // A row per unit and programme (a null programme for all of them).
    const rows = [...changed].flatMap(([unitId, { from, programmes }]) => (programmes ? [...programmes] : [null]).map((programme) => ({ unitId, from, programme })));
    await manager.query('INSERT INTO progress_queue (unit_id, changed_from, programme) SELECT * FROM unnest($1::uuid[], $2::date[], $3::text[])', [
      rows.map((r) => r.unitId),
      rows.map((r) => r.from),
      rows.map((r) => r.programme),
    ]);
  }

  /**
   * Takes up to `limit` queued units (the oldest first) and re-evaluates the campaigns they
   * can move, in the caller's transaction: the rows return to the queue if it rolls back.
   * Returns how many rows it took.
   */
  async evaluateQueued(manager: EntityManager, limit: number): Promise<number> {
    const [rows] = (await manager.query(
      `DELETE FROM progress_queue WHERE id IN (SELECT id FROM progress_queue ORDER BY id LIMIT $1)
       RETURNING unit_id, to_char(changed_from, 'YYYY-MM-DD') AS changed_from, programme`,
      [limit],
    )) as [{ unit_id: string; changed_from: string; programme: string | null }[], number];
    if (!rows.length) return 0;
    const changed = new Map<string, UnitChanges>();
    for (const row of rows) mergeChange(changed, row.unit_id, row.changed_from, row.programme === null ? null : new Set([row.programme]));
    await this.reevaluateAffected(manager, changed);
    return rows.length;
  }

  /** Units queued and not yet evaluated. */
  async queued(manager: EntityManager): Promise<number> {
    const [{ n }] = (await manager.query('SELECT count(*)::int AS n FROM progress_queue')) as { n: number }[];
    return n;
  }

  private async reevaluateAffected(manager: EntityManager, changed: Map<string, UnitChanges>): Promise<void> {
    // Taken shared first, as batches take it: a campaign being planned is either seen below or evaluates after this pass.
    await manager.query('SELECT pg_advisory_xact_lock_shared($1)', [CAMPAIGN_SET_LOCK]);
    const today = this.clock.today();
    // The dates started campaigns with unit targets are measured on (today, or their last day).
    // Most batches (a national reorganisation, say) meet no campaign at all: skip the paths then.
    const [{ measured }] = (await manager.query(
      `SELECT array_agg(DISTINCT to_char(LEAST(c.period_end, $1::date), 'YYYY-MM-DD')) AS measured FROM campaigns c
        WHERE c.period_start <= $1::date AND c.cancelled_at IS NULL AND EXISTS (SELECT 1 FROM campaign_targets t WHERE t.campaign_id = c.id AND t.kind <> 'activity')`,
      [today],
    )) as { measured: string[] | null }[];
    if (!measured) return;
    // Passes of different instances evaluate one after the other, and never hold one
    // campaign's rows while waiting for another's. The queued changes committed before the
    // pass took them, so the campaigns are chosen from a tree and statuses that hold them.
    await manager.query('SELECT pg_advisory_xact_lock($1)', [PROGRESS_LOCK]);
    const units = [...changed.keys()];
    // A change counts for a campaign whose scope holds the unit, or whose list names it: its
    // scope now, or on a date the campaign is measured on since the change (a unit moved
    // since a backdated change still counts where it stood then).
    const paths = (await manager.query(
      `SELECT u.unit_id, ${REPLICA_ANCESTORS_SQL('u.unit_id')} || COALESCE(past.path, '{}') AS path
         FROM unnest($1::uuid[]) AS u(unit_id) LEFT JOIN (${ANCESTORS_ON_MEASURED_DATES}) AS past USING (unit_id)`,
      [units, units.map((id) => changed.get(id)?.from), measured, today],
    )) as { unit_id: string; path: string[] }[];
    // What changed under each unit of the paths (a campaign's scope is one of them).
    const under = new Map<string, UnitChanges>();
    for (const { unit_id, path } of paths) {
      const change = changed.get(unit_id);
      if (change) for (const id of [unit_id, ...path]) mergeChange(under, id, change.from, change.programmes);
    }
    const candidates = (await manager.query(
      `SELECT DISTINCT c.id, c.scope_unit_id, to_char(c.period_end, 'YYYY-MM-DD') AS period_end, t.unit_ids
         FROM campaigns c JOIN campaign_targets t ON t.campaign_id = c.id
        WHERE t.kind <> 'activity' AND c.period_start <= $3::date AND c.cancelled_at IS NULL AND (c.scope_unit_id = ANY($1::uuid[]) OR t.unit_ids && $2::uuid[])`,
      [[...under.keys()], units, today],
    )) as { id: string; scope_unit_id: string; period_end: string; unit_ids: string[] | null }[];
    // Each campaign due, with the changes that can move it (their programmes: the targets to measure).
    const due = new Map<string, UnitChanges>();
    for (const c of candidates) {
      const on = c.period_end < today ? c.period_end : today;
      // A change dated after the date the campaign is measured on cannot move it.
      for (const change of [under.get(c.scope_unit_id), ...(c.unit_ids ?? []).map((id) => changed.get(id))]) {
        if (change && change.from <= on) mergeChange(due, c.id, change.from, change.programmes);
      }
    }
    for (const [id, { programmes }] of [...due].sort(([a], [b]) => a.localeCompare(b))) await this.evaluate(manager, id, today, programmes);
  }

  /**
   * A new campaign's first evaluation: after every batch that may have missed the campaign
   * has committed, and before any later one looks for campaigns (CAMPAIGN_SET_LOCK).
   */
  async evaluateNew(manager: EntityManager, campaignId: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [CAMPAIGN_SET_LOCK]);
    await this.evaluate(manager, campaignId);
  }

  /**
   * Evaluates a campaign's targets as of `today`, stores the result and emits what changed;
   * returns how many targets moved. A target moves when its value, projection, state or goal does.
   * With `programmes`, only the targets under those programmes (what status changes can move).
   */
  async evaluate(manager: EntityManager, campaignId: string, today = this.clock.today(), programmes: ReadonlySet<string> | null = null): Promise<number> {
    const [campaign] = (await manager.query(`SELECT ${CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1 FOR UPDATE`, [campaignId])) as CampaignRow[];
    // A cancelled campaign's progress stays as it stood when it was called off.
    if (!campaign || campaign.cancelled_at || !evaluationDate(period(campaign), today)) return 0;
    const all = (await manager.query(`SELECT ${TARGET_COLUMNS} FROM campaign_targets WHERE campaign_id = $1 ORDER BY position`, [campaignId])) as TargetRow[];
    // Status changes under some programmes move only those programmes' targets: the others read the same.
    const targets = programmes ? all.filter((t) => t.programme !== null && programmes.has(t.programme)) : all;
    const events: CloudEvent[] = [];
    for (const target of targets) {
      const progress = await this.progress(manager, campaign, target, today);
      const turned = target.state !== progress.state;
      const transitions = target.transitions + (turned ? 1 : 0);
      await manager.query(
        `UPDATE campaign_targets SET baseline = $2, value = $3, projection = $4, state = $5, evaluated_on = $6, transitions = $7, evaluated_goal = $8, evaluated_at = now()
          WHERE id = $1`,
        [target.id, progress.baseline, progress.value, progress.projection, progress.state, progress.evaluatedOn, transitions, progress.goal],
      );
      const moved =
        target.value !== progress.value || target.projection !== progress.projection || target.state !== progress.state || target.evaluated_goal !== progress.goal;
      if (!moved) continue;
      const data: TargetProgressData = {
        campaignId,
        targetId: target.id,
        kind: target.kind,
        baseline: progress.baseline,
        value: progress.value,
        goal: progress.goal,
        shareDone: progress.shareDone,
        projection: progress.projection,
        state: progress.state,
        evaluatedOn: progress.evaluatedOn,
      };
      const subject = campaign.scope_unit_id;
      events.push(this.events.create({ type: 'antq.campaigns.target-progress-changed.v1', subject, actor: PROGRESS_ACTOR, data }));
      if (turned) {
        events.push(
          this.events.create({
            type: 'antq.campaigns.target-state-changed.v1',
            subject,
            actor: PROGRESS_ACTOR,
            data: { ...data, previousState: (target.state as TargetState | null) ?? null, transition: transitions },
          }),
        );
      }
    }
    await this.outbox.append(manager, events);
    return events.filter((e) => e.type === 'antq.campaigns.target-progress-changed.v1').length;
  }

  /**
   * A target's progress as of `today`. The baseline is the value the day before the period,
   * captured once (at the first evaluation in the period) and kept.
   */
  async progress(manager: EntityManager, campaign: CampaignRow, target: TargetRow, today: string): Promise<TargetProgress> {
    const on = evaluationDate(period(campaign), today);
    if (!on) throw new Error(`Campaign ${campaign.id} starts on ${campaign.period_start}`);
    // Rounded as it is stored, so that the first evaluation and every later one start from the same baseline.
    const baseline = target.baseline ?? (target.kind === 'activity' ? 0 : toHundredths((await measure(manager, campaign, target, addDays(campaign.period_start, -1))).value));
    const reading = await measure(manager, campaign, target, on);
    // A share is read to the hundredth, as its baseline is stored: a third stays a third, with no trend from rounding.
    const value = target.kind === 'share' ? toHundredths(reading.value) : reading.value;
    const increase = target.kind === 'count' && target.mode === 'increase';
    const progress = assess(period(campaign), today, {
      base: increase ? 0 : baseline,
      value: increase ? value - baseline : value,
      goal: target.goal,
      ceiling: target.kind === 'share' ? 100 : target.kind === 'list' ? reading.outOf : undefined,
    });
    return { ...progress, baseline };
  }

  /** Campaigns whose stored progress is not as of `today`: new in their period, moving with it, or just past it. */
  async due(manager: EntityManager, today = this.clock.today()): Promise<string[]> {
    const rows = (await manager.query(
      `SELECT DISTINCT c.id FROM campaigns c JOIN campaign_targets t ON t.campaign_id = c.id
        WHERE c.period_start <= $1::date AND c.cancelled_at IS NULL
          AND (t.evaluated_on IS DISTINCT FROM LEAST($1::date, c.period_end) OR ($1::date > c.period_end AND t.state NOT IN ('achieved', 'missed')))
        ORDER BY c.id`,
      [today],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }
}

export function period(campaign: CampaignRow) {
  return { start: campaign.period_start, end: campaign.period_end };
}

/** A reading as stored: to the hundredth (a share is a percentage). */
const toHundredths = (value: number): number => Math.round(value * 100) / 100;
