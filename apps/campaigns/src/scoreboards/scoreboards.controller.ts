import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Matches } from 'class-validator';
import { DataSource } from 'typeorm';
import { Roles } from '@antq/auth';
import { ScoreboardRecompute } from './scoreboard.recompute';
import { ScoreboardService } from './scoreboard.service';

class ProgrammeQuery {
  @ApiPropertyOptional({ example: 'drug-free' })
  @Matches(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'programme must be a programme code such as drug-free' })
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
  async get(@Param('unitId', ParseUUIDPipe) unitId: string, @Query() query: ProgrammeQuery) {
    return { unitId, programme: query.programme, kinds: await this.scoreboards.read(this.dataSource.manager, unitId, query.programme) };
  }

  @Post('rebuild')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Rebuild every scoreboard from the replicas (equals the incremental result)' })
  rebuild() {
    return this.dataSource.transaction((manager) => this.recompute.rebuild(manager));
  }
}
