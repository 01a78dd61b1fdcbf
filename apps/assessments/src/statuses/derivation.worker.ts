import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ClsService } from 'nestjs-cls';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '@antq/contracts';
import { isTransientDatabaseError, runAs, type AntqClsStore } from '@antq/messaging';
import { QueueWorker } from '@antq/persistence';
import { DERIVATION_CHANNEL, UnitStatusService } from './unit-status.service';

/** Derived statuses are the system's work, not the agency's whose change set them off. */
const DERIVATION_ACTOR: Actor = { agency: 'antq-system', principal: 'derivation', roles: [] };
/** Queue rows taken per transaction; rows for one parent count once. */
const CLAIM_LIMIT = 500;
/** Only a crashed instance's rows (or a lost notification) wait for the poll. */
const POLL_INTERVAL_MS = 1_000;
/** A derivation that fails this often stays in the queue with its error, and is skipped. */
export const MAX_DERIVATION_ATTEMPTS = 5;

interface ClaimedRow {
  id: string;
  unit_id: string;
  programme: string;
  effective_on: string;
  correlation_id: string | null;
}

interface Derivation {
  unitId: string;
  programme: string;
  effectiveOn: string;
  correlationId: string | null;
  rowIds: string[];
}

/**
 * Re-derives parents queued by changes to their children (`pending_derivations`, written
 * in the child's transaction, so none is lost). Rows for one parent coalesce: fifty
 * communes recognised within a moment re-derive their district once, and a recognition
 * never waits for its siblings. Each pass takes rows with `FOR UPDATE SKIP LOCKED`, so
 * instances share the queue, and derives the parents in a fixed order within one
 * transaction; a parent's own change queues the next level up. Woken by NOTIFY, polled
 * for what a crashed instance left.
 */
@Injectable()
export class DerivationWorker extends QueueWorker {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly statuses: UnitStatusService,
    private readonly cls: ClsService<AntqClsStore>,
  ) {
    super(dataSource, {
      channel: DERIVATION_CHANNEL,
      name: 'antq-derivation-worker',
      pollIntervalMs: POLL_INTERVAL_MS,
      backlogMetric: { name: 'antq_derivations_backlog', help: 'Queued parent re-derivations: pending, and failed (set aside after repeated failures)' },
    });
  }

  /** Derivations waiting, and those set aside after failing too often. */
  async backlog(): Promise<{ pending: number; failed: number }> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE attempts < $1)::int AS pending, count(*) FILTER (WHERE attempts >= $1)::int AS failed FROM pending_derivations`,
      [MAX_DERIVATION_ATTEMPTS],
    )) as { pending: number; failed: number }[];
    return row;
  }

  /** One transaction for the next rows; on a lasting failure, each parent on its own. */
  protected async pass(): Promise<boolean> {
    let claimed: Derivation[] = [];
    try {
      return await this.dataSource.transaction(async (manager) => {
        claimed = coalesce(await this.claim(manager, CLAIM_LIMIT));
        await this.derive(manager, claimed);
        return claimed.reduce((n, d) => n + d.rowIds.length, 0) >= CLAIM_LIMIT;
      });
    } catch (error) {
      if (isTransientDatabaseError(error) || !claimed.length) throw error;
      for (const derivation of claimed) await this.deriveAlone(derivation);
      return false;
    }
  }

  private async deriveAlone(derivation: Derivation): Promise<void> {
    try {
      await this.dataSource.transaction(async (manager) => {
        // Another instance may have derived it meanwhile.
        const [, taken] = (await manager.query(`DELETE FROM pending_derivations WHERE id = ANY($1::bigint[])`, [derivation.rowIds])) as [unknown, number];
        if (taken) await this.derive(manager, [derivation]);
      });
    } catch (error) {
      if (isTransientDatabaseError(error)) return; // left in the queue for the next pass, not counted against it
      const message = (error as Error).message;
      this.logger.error(`Deriving ${derivation.programme} for unit ${derivation.unitId} failed: ${message}`);
      await this.dataSource.query(`UPDATE pending_derivations SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])`, [derivation.rowIds, message.slice(0, 2000)]);
    }
  }

  private async claim(manager: EntityManager, limit: number): Promise<ClaimedRow[]> {
    const [rows] = (await manager.query(
      `DELETE FROM pending_derivations WHERE id IN (
         SELECT id FROM pending_derivations WHERE attempts < $2 ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, unit_id, programme, to_char(effective_on, 'YYYY-MM-DD') AS effective_on, correlation_id`,
      [limit, MAX_DERIVATION_ATTEMPTS],
    )) as [ClaimedRow[], number];
    return rows;
  }

  private derive(manager: EntityManager, derivations: Derivation[]): Promise<void> {
    // Each derivation keeps the correlation id of the change that queued it.
    return runAs(this.cls, DERIVATION_ACTOR, () =>
      this.statuses.derive(
        manager,
        derivations.map((d) => ({ unitId: d.unitId, programme: d.programme, date: d.effectiveOn, correlationId: d.correlationId })),
      ),
    );
  }
}

/**
 * One derivation per parent and programme, from the latest of its rows' dates, in unit
 * order: every pass takes its locks in the same order, so two instances never deadlock.
 */
export function coalesce(rows: ClaimedRow[]): Derivation[] {
  const byKey = new Map<string, Derivation>();
  for (const row of rows) {
    const key = `${row.unit_id}:${row.programme}`;
    const known = byKey.get(key);
    if (!known) {
      byKey.set(key, { unitId: row.unit_id, programme: row.programme, effectiveOn: row.effective_on, correlationId: row.correlation_id, rowIds: [row.id] });
      continue;
    }
    known.rowIds.push(row.id);
    if (row.effective_on >= known.effectiveOn) {
      known.effectiveOn = row.effective_on;
      known.correlationId = row.correlation_id ?? known.correlationId;
    }
  }
  return [...byKey.values()].sort((a, b) => (a.unitId === b.unitId ? a.programme.localeCompare(b.programme) : a.unitId < b.unitId ? -1 : 1));
}
