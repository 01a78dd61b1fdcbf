import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { UnitSnapshot } from '@antq/contracts';
import { ReplicaUnit } from './replica-unit.entity';

@Injectable()
export class UnitReplicaRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Applies a unit's state unless the replica already holds that version or a newer one. */
  async apply(manager: EntityManager, unit: UnitSnapshot): Promise<boolean> {
    const result = (await manager.query(
      `INSERT INTO replica_units (unit_id, code, name, kind, subtype, parent_id, tags, effective_from, version, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
       ON CONFLICT (unit_id) DO UPDATE SET
         code = EXCLUDED.code, name = EXCLUDED.name, kind = EXCLUDED.kind, subtype = EXCLUDED.subtype,
         parent_id = EXCLUDED.parent_id, tags = EXCLUDED.tags, effective_from = EXCLUDED.effective_from,
         version = EXCLUDED.version, updated_at = now()
       WHERE replica_units.version < EXCLUDED.version
       RETURNING unit_id`,
      [
        unit.unitId,
        unit.code,
        unit.name,
        unit.kind,
        unit.subtype ?? null,
        unit.parentId ?? null,
        unit.tags,
        unit.effectiveFrom,
        unit.version,
      ],
    )) as unknown[];
    return result.length > 0;
  }

  findById(unitId: string): Promise<ReplicaUnit | null> {
    return this.dataSource.getRepository(ReplicaUnit).findOneBy({ unitId });
  }

  count(): Promise<number> {
    return this.dataSource.getRepository(ReplicaUnit).count();
  }

  list(offset: number, limit: number): Promise<ReplicaUnit[]> {
    return this.dataSource.getRepository(ReplicaUnit).find({ order: { code: 'ASC' }, skip: offset, take: limit });
  }
}
