import { Controller, Injectable } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import type { CloudEvent, UnitStatusChangedData } from '@antq/contracts';
import { atBatchEnd, EventContext } from '@antq/messaging';
import type { HistoryRewrite, UnitChange, UnitTreeObserver } from '@antq/unit-replica';
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
    await this.progress.unitChanged(manager, event.data.unitId, event.data.effectiveFrom, event.data.programme);
  }
}

/**
 * The history as assessments keeps it (each status holds from its date until the next one's,
 * never before its own; rows may arrive in any order), and the current status: the highest
 * sequence wins. One statement, its columns spelled out so that it is prepared: a row ends
 * where its successor in the batch or already stored begins, and a stored predecessor where
 * the batch's row begins. Stored rows are read by key, by construction (the successor probed,
 * predecessors among the batch's units' rows): a generic plan made while the history was
 * small would otherwise scan all of it for every batch.
 * $1-$6: the history rows; $7-$14: the current statuses.
 */
export const WRITE_STATUSES_SQL = `WITH x AS (SELECT u.unit_id, u.programme, u.sequence, u.status, u.valid_from, u.valid_until
                  FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::date[], $6::date[])
                    AS u(unit_id, programme, sequence, status, valid_from, valid_until)),
     history AS (
       INSERT INTO status_history (unit_id, programme, sequence, status, valid_from, valid_until, valid_to)
       SELECT x.unit_id, x.programme, x.sequence, x.status, x.valid_from, x.valid_until,
              CASE WHEN COALESCE(nb.valid_from, ns.valid_from) IS NOT NULL THEN GREATEST(x.valid_from, COALESCE(nb.valid_from, ns.valid_from)) END
         FROM x
         LEFT JOIN x nb ON nb.unit_id = x.unit_id AND nb.programme = x.programme AND nb.sequence = x.sequence + 1
         LEFT JOIN LATERAL (SELECT s.valid_from FROM status_history s
                             WHERE s.unit_id = x.unit_id AND s.programme = x.programme AND s.sequence = x.sequence + 1 LIMIT 1) AS ns ON true
       ON CONFLICT DO NOTHING),
     ended AS (
       UPDATE status_history h SET valid_to = GREATEST(h.valid_from, x.valid_from)
         FROM x WHERE h.unit_id = ANY($1::uuid[]) AND h.unit_id = x.unit_id AND h.programme = x.programme AND h.sequence = x.sequence - 1)
     INSERT INTO status_replica (unit_id, programme, unit_kind, status, grade, score, since, sequence)
     SELECT c.unit_id, c.programme, c.unit_kind, c.status, c.grade, c.score, c.since, c.sequence
       FROM unnest($7::uuid[], $8::text[], $9::text[], $10::text[], $11::text[], $12::numeric[], $13::date[], $14::int[])
         AS c(unit_id, programme, unit_kind, status, grade, score, since, sequence)
      ORDER BY 1, 2
     ON CONFLICT (unit_id, programme) DO UPDATE SET unit_kind = EXCLUDED.unit_kind, status = EXCLUDED.status, grade = EXCLUDED.grade,
       score = EXCLUDED.score, since = EXCLUDED.since, sequence = EXCLUDED.sequence
     WHERE status_replica.sequence < EXCLUDED.sequence`;

/** Writes a batch's status changes: history and current statuses (WRITE_STATUSES_SQL). */
async function writeStatuses(manager: EntityManager, changes: UnitStatusChangedData[]): Promise<void> {
  if (!changes.length) return;
  // One row per status change, however often the batch holds it.
  const rows = [...new Map(changes.map((c) => [`${c.unitId}|${c.programme}|${c.sequence}`, c])).values()];
  const latest = new Map<string, UnitStatusChangedData>();
  for (const c of rows) {
    const key = `${c.unitId}|${c.programme}`;
    if ((latest.get(key)?.sequence ?? -1) < c.sequence) latest.set(key, c);
  }
  const current = [...latest.values()];
  const column = <T>(list: UnitStatusChangedData[], pick: (c: UnitStatusChangedData) => T) => list.map(pick);
  await manager.query(
    WRITE_STATUSES_SQL,
    [
      column(rows, (c) => c.unitId),
      column(rows, (c) => c.programme),
      column(rows, (c) => c.sequence),
      column(rows, (c) => c.after.status),
      column(rows, (c) => c.effectiveFrom),
      column(rows, (c) => c.after.validUntil),
      column(current, (c) => c.unitId),
      column(current, (c) => c.programme),
      column(current, (c) => c.unitKind),
      column(current, (c) => c.after.status),
      column(current, (c) => c.after.grade),
      column(current, (c) => c.after.score),
      column(current, (c) => c.after.since),
      column(current, (c) => c.sequence),
    ],
  );
}

/** Tree changes re-place a unit and its subtree in the scoreboards, and move the campaigns counting it. */
@Injectable()
export class CampaignsTreeObserver implements UnitTreeObserver {
  constructor(
    private readonly scoreboards: ScoreboardService,
    private readonly progress: ProgressService,
  ) {}

  async onUnitChanged(manager: EntityManager, { before, after, placements }: UnitChange): Promise<void> {
    // Where the unit stood from each version on: a rename or new tags leave every count where it
    // is, and a move and a move back in one batch still changed the campaigns measured between.
    let previous: { parentId: string | null; status: string } | null = before;
    let from: string | undefined;
    const places = new Set<string>();
    for (const placement of placements) {
      if (!previous || previous.parentId !== placement.parentId || previous.status !== placement.status) {
        from ??= placement.effectiveFrom;
        for (const parent of [previous?.parentId, placement.parentId]) if (parent) places.add(parent);
      }
      previous = placement;
    }
    if (from === undefined) return;
    if (before?.parentId !== (after.parentId ?? null) || before?.status !== after.status) await this.scoreboards.treeChanged(manager, after.unitId);
    await this.progress.unitChanged(manager, after.unitId, from);
    // Campaigns over the places it left count it no more.
    for (const place of places) if (place !== (after.parentId ?? null)) await this.progress.unitChanged(manager, place, from);
  }

  /** An older version arrived late: campaigns measured since its date, over any place the unit held since, are measured again. */
  async onHistoryRewritten(manager: EntityManager, { unitId, from, parentIds }: HistoryRewrite): Promise<void> {
    for (const id of [unitId, ...parentIds]) await this.progress.unitChanged(manager, id, from);
  }
}
