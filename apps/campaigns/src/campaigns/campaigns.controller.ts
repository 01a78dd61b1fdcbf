import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { AcceptsIdempotencyKey, IdempotencyKey, ParseIdPipe, TakesNoBody } from '@antq/platform';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles } from '@antq/auth';
import { ActivityRequest, AmendTargetRequest, AsOfQuery, CampaignSearchQuery, CancelCampaignRequest, CreateCampaignRequest } from './campaign.requests';
import { CampaignsService, type Principal } from './campaigns.service';

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Post()
  @Roles('campaign-manager', 'admin')
  @ApiOperation({ summary: 'Plan a campaign: name, period, scope (a root unit) and targets; the baseline is captured when it starts' })
  create(@Body() request: CreateCampaignRequest, @CurrentActor() actor: Principal) {
    return this.campaigns.create(request, actor);
  }

  @Get()
  @ApiOperation({ summary: 'Campaigns, newest period first' })
  list(@Query() query: CampaignSearchQuery) {
    return this.campaigns.list(query);
  }

  @Post('evaluate')
  @TakesNoBody()
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Run the daily evaluation now: campaigns starting, moving with time, or past their deadline' })
  async evaluate() {
    return { evaluated: await this.campaigns.evaluateDue() };
  }

  @Post('rebuild')
  @TakesNoBody()
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Recompute every progress from the replicated history (equals the incremental result)' })
  rebuild() {
    return this.campaigns.rebuild();
  }

  @Get(':id')
  @ApiOperation({ summary: 'A campaign with its targets and their latest progress' })
  get(@Param('id', ParseIdPipe) id: string) {
    return this.campaigns.get(id);
  }

  @Get(':id/progress')
  @ApiOperation({ summary: 'Progress of every target as it stood on a date (from the history; nothing is stored)' })
  progress(@Param('id', ParseIdPipe) id: string, @Query() query: AsOfQuery) {
    return this.campaigns.progressAsOf(id, query.asOf);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('campaign-manager', 'admin')
  @ApiOperation({ summary: 'Call a campaign off before its end, saying why: its targets keep their last state and are evaluated no more' })
  cancel(@Param('id', ParseIdPipe) id: string, @Body() request: CancelCampaignRequest, @CurrentActor() actor: Principal) {
    return this.campaigns.cancel(id, request, actor);
  }

  @Post(':id/targets/:targetId/amend')
  @HttpCode(200)
  @Roles('campaign-manager', 'admin')
  @ApiOperation({ summary: "Revise a target's goal from today, saying why; progress as of earlier dates keeps the goal of those dates" })
  amendTarget(@Param('id', ParseIdPipe) id: string, @Param('targetId', ParseIdPipe) targetId: string, @Body() request: AmendTargetRequest, @CurrentActor() actor: Principal) {
    return this.campaigns.amendTarget(id, targetId, request, actor);
  }

  @Post(':id/targets/:targetId/activities')
  @Roles('campaign-manager', 'admin')
  @ApiOperation({ summary: 'Record activities held (festival days, models built) for an activity target' })
  @AcceptsIdempotencyKey('the activity the first request recorded')
  recordActivity(
    @Param('id', ParseIdPipe) id: string,
    @Param('targetId', ParseIdPipe) targetId: string,
    @Body() request: ActivityRequest,
    @CurrentActor() actor: Principal,
    @IdempotencyKey() idempotencyKey?: string,
  ) {
    return this.campaigns.recordActivity(id, targetId, request, actor, idempotencyKey);
  }
}
