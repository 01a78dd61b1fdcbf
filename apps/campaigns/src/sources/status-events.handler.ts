import { Controller, Injectable } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import type { CloudEvent, UnitSnapshot, UnitStatusChangedData } from '@antq/contracts';
import { atBatchEnd, EventContext } from '@antq/messaging';
import type { ReplicaState, UnitTreeObserver } from '@antq/unit-replica';
import { ProgressService } from '../campaigns/progress.service';
import { ScoreboardService } from '../scoreboards/scoreboard.service';

/**
 * Keeps the status replica (current and history), moves scoreboard contributions and has
 * the campaigns counting the unit re-evaluated. A batch's statuses are written together
 * when it ends, before the aggregates read them; stale or repeated events change nothing.
 */
@Controller()
export class StatusEventsHandler {
  private readonly pending = new WeakMap<EntityManager, UnitStatusChangedData[]>();

  constructor(
    private readonly scoreboards: ScoreboardService,
    private readonly progress: ProgressService,
  ) {}

  @EventPattern('antq.assessments.unit-status-changed.v1')
  async onStatusChanged(@Payload() event: CloudEvent<UnitStatusChangedData>, @Ctx() context: EventContext): Promise<void> {
    const manager = context.manager;
    const pending = this.pending.get(manager) ?? [];
    pending.push(event.data);
    this.pending.set(manager, pending);
    await atBatchEnd(
      manager,
      'status-replica',
      async () => {
        const changes = this.pending.get(manager) ?? [];
        this.pending.delete(manager);
        await writeStatuses(manager, changes);
      },
      'replicate',
    );
    // Reconciling compares what a unit is counted as with the replica: a stale event's mark changes nothing.
    await this.scoreboards.statusChanged(manager, event.data.unitId);
    await this.progress.unitChanged(manager, event.data.unitId, event.data.effectiveFrom);
  }
}

/**
 * The history as assessments keeps it (each status holds from its date until the next one's,
 * never before its own; rows may arrive in any order), and the current status: the highest
 * sequence wins.
 */
async function writeStatuses(manager: EntityManager, changes: UnitStatusChangedData[]): Promise<void> {
  if (!changes.length) return;
  const column = <T>(pick: (c: UnitStatusChangedData) => T) => changes.map(pick);
  await manager.query(
    `INSERT INTO status_history (unit_id, programme, sequence, status, valid_from, valid_until)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::date[], $6::date[])
     ON CONFLICT DO NOTHING`,
    [column((c) => c.unitId), column((c) => c.programme), column((c) => c.sequence), column((c) => c.after.status), column((c) => c.effectiveFrom), column((c) => c.after.validUntil)],
  );
  await manager.query(
    `UPDATE status_history h SET valid_to = GREATEST(h.valid_from, n.valid_from)
       FROM unnest($1::uuid[], $2::text[], $3::int[]) AS x(unit_id, programme, sequence), status_history n
      WHERE h.unit_id = x.unit_id AND h.programme = x.programme AND h.sequence IN (x.sequence - 1, x.sequence)
        AND n.unit_id = h.unit_id AND n.programme = h.programme AND n.sequence = h.sequence + 1`,
    [column((c) => c.unitId), column((c) => c.programme), column((c) => c.sequence)],
  );
  const latest = new Map<string, UnitStatusChangedData>();
  for (const c of changes) {
    const key = `${c.unitId}|${c.programme}`;
    if ((latest.get(key)?.sequence ?? -1) < c.sequence) latest.set(key, c);
  }
  const rows = [...latest.values()];
  const of = <T>(pick: (c: UnitStatusChangedData) => T) => rows.map(pick);
  await manager.query(
    `INSERT INTO status_replica (unit_id, programme, unit_kind, status, grade, score, since, sequence)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::date[], $8::int[]) ORDER BY 1, 2
     ON CONFLICT (unit_id, programme) DO UPDATE SET unit_kind = EXCLUDED.unit_kind, status = EXCLUDED.status, grade = EXCLUDED.grade,
       score = EXCLUDED.score, since = EXCLUDED.since, sequence = EXCLUDED.sequence
     WHERE status_replica.sequence < EXCLUDED.sequence`,
    [of((c) => c.unitId), of((c) => c.programme), of((c) => c.unitKind), of((c) => c.after.status), of((c) => c.after.grade), of((c) => c.after.score), of((c) => c.after.since), of((c) => c.sequence)],
  );
}

/** Tree changes re-place a unit and its subtree in the scoreboards, and move the campaigns counting it. */
@Injectable()
export class CampaignsTreeObserver implements UnitTreeObserver {
  constructor(
    private readonly scoreboards: ScoreboardService,
    private readonly progress: ProgressService,
  ) {}

  async onUnitChanged(manager: EntityManager, before: ReplicaState | null, after: UnitSnapshot): Promise<void> {
    // A rename or new tags leave every count where it is.
    if (before && before.parentId === (after.parentId ?? null) && before.status === after.status) return;
    await this.scoreboards.treeChanged(manager, after.unitId);
    await this.progress.unitChanged(manager, after.unitId, after.effectiveFrom);
    // Campaigns over its old place lose it.
    if (before?.parentId && before.parentId !== after.parentId) await this.progress.unitChanged(manager, before.parentId, after.effectiveFrom);
  }
}
