import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentActor, Roles } from '@antq/auth';
import { asArray, Clock, csvAnswer, ParseIdPipe, TakesNoBody, wantsCsv } from '@antq/platform';
import type { Principal } from '../authority/authority.service';
import { ProgrammesService } from '../programmes/programmes.service';
import { StatusQueries, type UnitStatusView } from '../statuses/status-queries';
import { AssessmentSearchQuery, DecisionRequest, DraftAssessmentRequest, NewProgrammeVersionRequest, RejectionRequest, StatusSearchQuery, StepRequest, WithdrawalRequest } from './assessment.requests';
import { AssessmentQueries } from './assessment-queries';
import { AssessmentsService } from './assessments.service';

/** The columns of a status export, in the order a reader scans them. */
const STATUS_COLUMNS: (keyof UnitStatusView)[] = ['code', 'name', 'kind', 'programme', 'status', 'grade', 'score', 'since', 'validUntil', 'source', 'unitId', 'parentId'];

@ApiTags('assessments')
@ApiBearerAuth()
@Controller('assessments')
export class AssessmentsController {
  constructor(
    private readonly assessments: AssessmentsService,
    private readonly queries: AssessmentQueries,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Assessments under a unit, by programme, cycle and state, most recently moved first (e.g. the submitted ones awaiting verification); only those within the reader\'s jurisdiction' })
  async list(@Query() query: AssessmentSearchQuery, @CurrentActor() actor: Principal) {
    const page = await this.queries.list(actor, {
      within: query.within,
      programme: query.programme,
      cycle: query.cycle,
      states: asArray(query.state),
      offset: query.offset,
      limit: query.limit,
    });
    return { ...page, offset: query.offset, limit: query.limit };
  }

  @Post()
  @ApiOperation({ summary: 'Open a self-assessment (draft) of a unit under a programme for a cycle' })
  draft(@Body() request: DraftAssessmentRequest, @CurrentActor() actor: Principal) {
    return this.assessments.draft(request, actor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An assessment with every transition (actor, agency, time, decision, comment, evidence)' })
  get(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Principal) {
    return this.assessments.get(id, actor);
  }

  @Post(':id/submit')
  @HttpCode(200)
  submit(@Param('id', ParseIdPipe) id: string, @Body() request: StepRequest, @CurrentActor() actor: Principal) {
    return this.assessments.step(id, 'submit', request, actor);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take back a draft or a submission not yet verified, saying why; the unit may then be assessed afresh for the cycle' })
  withdraw(@Param('id', ParseIdPipe) id: string, @Body() request: WithdrawalRequest, @CurrentActor() actor: Principal) {
    return this.assessments.step(id, 'withdraw', request, actor);
  }

  @Post(':id/verify')
  @HttpCode(200)
  verify(@Param('id', ParseIdPipe) id: string, @Body() request: StepRequest, @CurrentActor() actor: Principal) {
    return this.assessments.step(id, 'verify', request, actor);
  }

  @Post(':id/recognise')
  @HttpCode(200)
  @ApiOperation({ summary: 'Recognise by decision (number and date); the unit’s status follows' })
  recognise(@Param('id', ParseIdPipe) id: string, @Body() request: DecisionRequest, @CurrentActor() actor: Principal) {
    return this.assessments.step(id, 'recognise', request, actor);
  }

  @Post(':id/not-recognise')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decide, by decision (number and date), that a verified result falls short (not yet safe, a weak grade); the unit holds it as its status' })
  notRecognise(@Param('id', ParseIdPipe) id: string, @Body() request: DecisionRequest, @CurrentActor() actor: Principal) {
    return this.assessments.step(id, 'not-recognise', request, actor);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({ summary: 'Return a submitted or verified assessment, saying why' })
  reject(@Param('id', ParseIdPipe) id: string, @Body() request: RejectionRequest, @CurrentActor() actor: Principal) {
    return this.assessments.step(id, 'reject', request, actor);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  revoke(@Param('id', ParseIdPipe) id: string, @Body() request: DecisionRequest, @CurrentActor() actor: Principal) {
    return this.assessments.step(id, 'revoke', request, actor);
  }
}

@ApiTags('statuses')
@ApiBearerAuth()
@Controller()
export class StatusesController {
  constructor(
    private readonly queries: StatusQueries,
    private readonly assessments: AssessmentsService,
    private readonly clock: Clock,
  ) {}

  @Get('statuses')
  @ApiOperation({
    summary: 'Units by subtree, kind, programme and status, as of a date (e.g. communes of Nghệ An drug-free on 2024-12-31)',
    description: 'With `Accept: text/csv`, the page as a spreadsheet file, the total in `X-Total-Count`.',
  })
  @ApiProduces('application/json', 'text/csv')
  async find(@Query() query: StatusSearchQuery, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const asOf = query.asOf ?? this.clock.today();
    const page = await this.queries.find({
      programme: query.programme,
      asOf,
      within: query.within,
      kinds: asArray(query.kind),
      statuses: asArray(query.status),
      offset: query.offset,
      limit: query.limit,
    });
    if (wantsCsv(request)) return csvAnswer(response, `statuses-${query.programme}-${asOf}.csv`, STATUS_COLUMNS, page.items, page.total);
    return { ...page, asOf, offset: query.offset, limit: query.limit };
  }

  @Get('units/:unitId/statuses')
  @ApiOperation({ summary: 'A unit’s current status under every programme' })
  current(@Param('unitId', ParseIdPipe) unitId: string) {
    return this.queries.current(unitId);
  }

  @Get('units/:unitId/statuses/:programme/history')
  @ApiOperation({ summary: 'Every status a unit had under a programme, with dates and sources' })
  history(@Param('unitId', ParseIdPipe) unitId: string, @Param('programme') programme: string) {
    return this.queries.history(unitId, programme);
  }

  @Post('statuses/lapse-due')
  @TakesNoBody()
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Lapse recognitions whose validity has ended (also runs daily)' })
  async lapseDue() {
    return { lapsed: await this.assessments.lapseDue() };
  }
}

@ApiTags('programmes')
@ApiBearerAuth()
@Controller('programmes')
export class ProgrammesController {
  constructor(private readonly programmes: ProgrammesService) {}

  @Get()
  @ApiOperation({ summary: 'The latest version of every programme' })
  list() {
    return this.programmes.list();
  }

  @Get(':code/versions')
  versions(@Param('code') code: string) {
    return this.programmes.versions(code);
  }

  @Post(':code/versions')
  @Roles('admin')
  @ApiOperation({ summary: 'Add a version of a programme from a date; older assessments keep theirs' })
  addVersion(@Param('code') code: string, @Body() request: NewProgrammeVersionRequest, @CurrentActor() actor: Principal) {
    return this.programmes.addVersion(code, request.definition, request.validFrom, actor);
  }
}
