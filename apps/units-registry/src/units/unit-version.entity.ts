import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { UnitKind, UnitSubtype } from '@antq/contracts';
import type { UnitStatus } from './unit.entity';

/** One state of a unit over a date range, with who recorded it and on what change. */
@Entity({ name: 'unit_versions' })
export class UnitVersion {
  @PrimaryColumn({ name: 'unit_id', type: 'uuid' })
  unitId!: string;

  @PrimaryColumn({ type: 'int' })
  version!: number;

  @Column({ name: 'valid_from', type: 'date' })
  validFrom!: string;

  /** Exclusive end; null while the state still holds. */
  @Column({ name: 'valid_to', type: 'date', nullable: true })
  validTo!: string | null;

  @Column({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  kind!: UnitKind;

  @Column({ type: 'text', nullable: true })
  subtype!: UnitSubtype | null;

  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  @Column({ type: 'text', array: true })
  tags!: string[];

  @Column({ type: 'text' })
  status!: UnitStatus;

  @Column({ type: 'text' })
  change!: string;

  @Column({ type: 'text' })
  agency!: string;

  @Column({ type: 'text' })
  principal!: string;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId!: string;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt!: Date;
}
