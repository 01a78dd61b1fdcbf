import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { ReplicaUnit } from './replica-unit.entity';
import { PageQuery, ParseIdPipe } from '@antq/platform';
import { unknownUnit, UnitReplicaRepository } from './unit-replica.repository';

export class ReplicaUnitResponse {
  @ApiProperty() unitId!: string;
  @ApiProperty() code!: string;
  @ApiProperty() name!: string;
  @ApiProperty() kind!: string;
  @ApiProperty({ nullable: true, type: String }) subtype!: string | null;
  @ApiProperty({ nullable: true, type: String }) parentId!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty() effectiveFrom!: string;
  @ApiProperty() version!: number;

  static from(unit: ReplicaUnit): ReplicaUnitResponse {
    return Object.assign(new ReplicaUnitResponse(), {
      unitId: unit.unitId,
      code: unit.code,
      name: unit.name,
      kind: unit.kind,
      subtype: unit.subtype,
      parentId: unit.parentId,
      tags: unit.tags,
      effectiveFrom: unit.effectiveFrom,
      version: unit.version,
    });
  }
}

export class ReplicaPageResponse {
  @ApiProperty() total!: number;
  @ApiProperty({ type: [ReplicaUnitResponse] }) items!: ReplicaUnitResponse[];
}

/** Read access to this service's replica of the unit tree (for operators and checks). */
@ApiTags('unit replica')
@ApiBearerAuth()
@Controller('replica/units')
export class UnitReplicaController {
  constructor(private readonly replica: UnitReplicaRepository) {}

  @Get()
  @ApiOkResponse({ type: ReplicaPageResponse })
  async list(@Query() query: PageQuery): Promise<ReplicaPageResponse> {
    const [total, items] = await Promise.all([this.replica.count(), this.replica.list(query.offset, query.limit)]);
    return { total, items: items.map((u) => ReplicaUnitResponse.from(u)) };
  }

  @Get(':unitId')
  @ApiOkResponse({ type: ReplicaUnitResponse })
  async get(@Param('unitId', ParseIdPipe) unitId: string): Promise<ReplicaUnitResponse> {
    const unit = await this.replica.findById(unitId);
    if (!unit) throw unknownUnit(unitId);
    return ReplicaUnitResponse.from(unit);
  }
}
