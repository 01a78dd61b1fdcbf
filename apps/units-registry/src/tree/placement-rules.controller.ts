import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Clock } from '@antq/platform';
import { AsOfQuery } from './dto/unit.requests';
import { TreeRepository } from './tree.repository';

class PlacementRuleResponse {
  @ApiProperty() childKind!: string;
  @ApiProperty({ nullable: true, type: String, description: 'null: the kind is a root' }) parentKind!: string | null;
  @ApiProperty({ nullable: true, type: String }) validFrom!: string | null;
  @ApiProperty({ nullable: true, type: String }) validTo!: string | null;
}

/** Which kind may sit under which, and when: data, not code. */
@ApiTags('units')
@ApiBearerAuth()
@Controller('placement-rules')
export class PlacementRulesController {
  constructor(
    private readonly repository: TreeRepository,
    private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The rules in force on a date' })
  @ApiOkResponse({ type: [PlacementRuleResponse] })
  list(@Query() query: AsOfQuery): Promise<PlacementRuleResponse[]> {
    return this.repository.placementRulesAt(query.asOf ?? this.clock.today());
  }
}
