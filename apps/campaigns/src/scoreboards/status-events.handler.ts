import { Controller, Injectable } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import type { CloudEvent, UnitSnapshot, UnitStatusChangedData } from '@antq/contracts';
import { EventContext } from '@antq/messaging';
import type { ReplicaState, UnitTreeObserver } from '@antq/unit-replica';
import { ScoreboardService } from './scoreboard.service';

/** Keeps the status replica and moves scoreboard contributions; stale or repeated events change nothing. */
@Controller()
export class StatusEventsHandler {
  constructor(private readonly scoreboards: ScoreboardService) {}

  @EventPattern('antq.assessments.unit-status-changed.v1')
  async onStatusChanged(@Payload() event: CloudEvent<UnitStatusChangedData>, @Ctx() context: EventContext): Promise<void> {
    const { unitId, programme, unitKind, after, sequence } = event.data;
    const manager = context.manager;
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
}

/** Tree changes re-place a unit and its subtree in the scoreboards. */
@Injectable()
export class ScoreboardTreeObserver implements UnitTreeObserver {
  constructor(private readonly scoreboards: ScoreboardService) {}

  async onUnitChanged(manager: EntityManager, before: ReplicaState | null, after: UnitSnapshot): Promise<void> {
    // A rename or new tags leave every count where it is.
    if (before && before.parentId === (after.parentId ?? null) && before.status === after.status) return;
    await this.scoreboards.treeChanged(manager, after.unitId);
  }
}
