import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { UnitKind, UnitStatus, UnitSubtype } from '@antq/contracts';

/**
 * A service's local copy of a registry unit's latest state, fed by unit events. Services
 * validate and aggregate against it without reading the registry's tables.
 */
@Entity({ name: 'replica_units' })
export class ReplicaUnit {
  @PrimaryColumn({ name: 'unit_id', type: 'uuid' })
  unitId!: string;

  @Column({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  kind!: UnitKind;

  @Column({ type: 'text', nullable: true })
  subtype!: UnitSubtype | null;

  @Index()
  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags!: string[];

  @Column({ type: 'text' })
  status!: UnitStatus;

  @Column({ name: 'effective_from', type: 'date' })
  effectiveFrom!: string;

  /** The registry's per-unit version: older or repeated events never overwrite newer state. */
  @Column({ type: 'int' })
  version!: number;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
