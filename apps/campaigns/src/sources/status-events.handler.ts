import { Controller, Injectable } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import type { CloudEvent, UnitSnapshot, UnitStatusChangedData } from '@antq/contracts';
import { EventContext } from '@antq/messaging';
import type { ReplicaState, UnitTreeObserver } from '@antq/unit-replica';
import { ProgressService } from '../campaigns/progress.service';
import { ScoreboardService } from '../scoreboards/scoreboard.service';

/**
 * Keeps the status replica (current and history), moves scoreboard contributions and has
 * the campaigns counting the unit re-evaluated; stale or repeated events change nothing.
 */
@Controller()
export class StatusEventsHandler {
  constructor(
    private readonly scoreboards: ScoreboardService,
    private readonly progress: ProgressService,
  ) {}

  @EventPattern('antq.assessments.unit-status-changed.v1')
  async onStatusChanged(@Payload() event: CloudEvent<UnitStatusChangedData>, @Ctx() context: EventContext): Promise<void> {
    const { unitId, programme, unitKind, after, sequence, effectiveFrom } = event.data;
    const manager = context.manager;
    await this.recordHistory(manager, event.data);
    await this.progress.unitChanged(manager, unitId, effectiveFrom);
    const [current] = (await manager.query(
      'SELECT sequence FROM status_replica WHERE unit_id = $1 AND programme = $2 FOR UPDATE',
      [unitId, programme],
    )) as { sequence: number }[];
    if (current && current.sequence >= sequence) return;
    await manager.query(
      `INSERT INTO status_replica (unit_id, programme, unit_kind, status, grade, score, since, sequence)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (unit_id, programme) DO UPDATE SET unit_kind = EXCLUDED.unit_kind, status = EXCLUDED.status, grade = EXCLUDED.grade,
         score = EXCLUDED.score, since = EXCLUDED.since, sequence = EXCLUDED.sequence`,
      [unitId, programme, unitKind, after.status, after.grade, after.score, after.since, sequence],
    );
    await this.scoreboards.statusChanged(manager, unitId);
  }

  /**
   * The history as assessments keeps it: each status holds from its date until the next
   * one's (never before its own), so campaigns can read any date. Rows may arrive in any order.
   */
  private async recordHistory(manager: EntityManager, data: UnitStatusChangedData): Promise<void> {
    const { unitId, programme, after, sequence, effectiveFrom } = data;
    await manager.query(
      `INSERT INTO status_history (unit_id, programme, sequence, status, valid_from, valid_until) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING`,
      [unitId, programme, sequence, after.status, effectiveFrom, after.validUntil],
    );
    await manager.query(
      `UPDATE status_history h SET valid_to = GREATEST(h.valid_from, n.valid_from)
         FROM status_history n
        WHERE h.unit_id = $1 AND h.programme = $2 AND h.sequence IN ($3 - 1, $3)
          AND n.unit_id = h.unit_id AND n.programme = h.programme AND n.sequence = h.sequence + 1`,
      [unitId, programme, sequence],
    );
  }
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
