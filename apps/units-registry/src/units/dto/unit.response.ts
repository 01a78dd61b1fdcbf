import { ApiProperty } from '@nestjs/swagger';
import type { Unit } from '../unit.entity';

export class UnitResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty() kind!: string;
  @ApiProperty({ nullable: true, type: String }) subtype!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) parentId!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ enum: ['active', 'closed'] }) status!: string;
  @ApiProperty() effectiveFrom!: string;
  @ApiProperty() version!: number;

  static from(unit: Unit): UnitResponse {
    return Object.assign(new UnitResponse(), {
      id: unit.id,
      code: unit.code,
      name: unit.name,
      kind: unit.kind,
      subtype: unit.subtype,
      parentId: unit.parentId,
      tags: unit.tags,
      status: unit.status,
      effectiveFrom: unit.effectiveFrom,
      version: unit.version,
    });
  }
}

export class UnitPageResponse {
  @ApiProperty() total!: number;
  @ApiProperty({ type: [UnitResponse] }) items!: UnitResponse[];
}
