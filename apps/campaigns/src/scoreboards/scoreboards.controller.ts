import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ParseIdPipe, TakesNoBody } from '@antq/platform';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsIn } from 'class-validator';
import { DataSource } from 'typeorm';
import { Roles } from '@antq/auth';
import { PROGRAMME_CODES } from '@antq/contracts';
import { requireKnownUnit } from '@antq/unit-replica';
import { ScoreboardRecompute } from './scoreboard.recompute';
import { ScoreboardService } from './scoreboard.service';

class ProgrammeQuery {
  @ApiProperty({ enum: PROGRAMME_CODES })
  @IsIn(PROGRAMME_CODES, { message: `programme must be one of: ${PROGRAMME_CODES.join(', ')}` })
  programme!: string;
}

@ApiTags('scoreboards')
@ApiBearerAuth()
@Controller('scoreboards')
export class ScoreboardsController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scoreboards: ScoreboardService,
    private readonly recompute: ScoreboardRecompute,
  ) {}

  @Get(':unitId')
  @ApiOperation({ summary: "A unit's descendants under a programme: by kind, status and grade, share recognised, average score" })
  async get(@Param('unitId', ParseIdPipe) unitId: string, @Query() query: ProgrammeQuery) {
    await requireKnownUnit(this.dataSource, unitId);
    return { unitId, programme: query.programme, kinds: await this.scoreboards.read(this.dataSource.manager, unitId, query.programme) };
  }

  @Post('rebuild')
  @TakesNoBody()
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Rebuild every scoreboard from the replicas (equals the incremental result)' })
  rebuild() {
    return this.dataSource.transaction((manager) => this.recompute.rebuild(manager));
  }
}
