import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { UnitState } from '../unit-state';

export class UnitResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty() kind!: string;
  @ApiProperty({ nullable: true, type: String }) subtype!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) parentId!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ enum: ['active', 'closed'] }) status!: string;
  @ApiProperty({ description: 'This state holds from this date...' }) validFrom!: string;
  @ApiProperty({ nullable: true, type: String, description: '...until this date (exclusive); null while it holds.' }) validTo!: string | null;
  @ApiProperty() version!: number;
  @ApiPropertyOptional() depth?: number;

  static from(state: UnitState & { depth?: number }): UnitResponse {
    return Object.assign(new UnitResponse(), {
      id: state.id,
      code: state.code,
      name: state.name,
      kind: state.kind,
      subtype: state.subtype,
      parentId: state.parentId,
      tags: state.tags,
      status: state.status,
      validFrom: state.validFrom,
      validTo: state.validTo,
      version: state.version,
      ...(state.depth !== undefined ? { depth: state.depth } : {}),
    });
  }
}

export class UnitPageResponse {
  @ApiProperty() total!: number;
  @ApiProperty() offset!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() asOf!: string;
  @ApiProperty({ type: [UnitResponse] }) items!: UnitResponse[];
}

export class UnitVersionResponse extends UnitResponse {
  @ApiProperty({ enum: ['created', 'updated', 'moved', 'closed', 'merged', 'split'] }) change!: string;
  @ApiProperty({ format: 'uuid' }) operationId!: string;
  @ApiProperty() agency!: string;
  @ApiProperty() principal!: string;
  @ApiProperty() recordedAt!: string;
}

export class LineageEdgeResponse {
  @ApiProperty({ format: 'uuid' }) predecessorId!: string;
  @ApiProperty({ format: 'uuid' }) successorId!: string;
  @ApiProperty({ enum: ['merge', 'split'] }) kind!: string;
  @ApiProperty() effectiveDate!: string;
}

export class LineageResponse {
  @ApiProperty({ description: 'Merges and splits effective after this date are left out.' }) asOf!: string;
  @ApiProperty({ type: [LineageEdgeResponse], description: 'What the unit was formed from, transitively.' })
  formedFrom!: LineageEdgeResponse[];
  @ApiProperty({ type: [LineageEdgeResponse], description: 'What the unit became, transitively.' })
  became!: LineageEdgeResponse[];
}

export class AbolishLevelResponse {
  @ApiProperty() closed!: number;
  @ApiProperty() moved!: number;
}
