import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
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
  constructor(private readonly repository: TreeRepository) {}

  @Get()
  @ApiOkResponse({ type: [PlacementRuleResponse] })
  list(): Promise<PlacementRuleResponse[]> {
    return this.repository.listPlacementRules();
  }
}
