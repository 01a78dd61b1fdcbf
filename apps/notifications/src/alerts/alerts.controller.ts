import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ParseIdPipe, TakesNoBody } from '@antq/platform';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles } from '@antq/auth';
import type { Actor } from '@antq/contracts';
import { AlertQuery, DeliveryQuery, FeedItemParam, FeedQuery, FeedSelection } from './feed.requests';
import type { Caller } from '../subscriptions/agency-scope';
import { AlertQueries } from './alert.queries';

@ApiTags('feed')
@ApiBearerAuth()
@Controller('feed')
export class FeedController {
  constructor(private readonly queries: AlertQueries) {}

  @Get()
  @ApiOperation({ summary: "The in-app feed: alerts addressed to the caller's agency and to the caller, newest first" })
  feed(@Query() query: FeedQuery, @CurrentActor() actor: Actor) {
    return this.queries.feed(actor, query);
  }

  @Post(':itemId/read')
  @TakesNoBody()
  @HttpCode(200)
  read(@Param() { itemId }: FeedItemParam, @CurrentActor() actor: Actor) {
    return this.queries.markRead(actor, itemId);
  }

  @Post('read-all')
  @TakesNoBody('the items to mark are chosen in the query (severity, for, ruleId)')
  @HttpCode(200)
  @ApiOperation({ summary: 'Marks every unread item of the feed read (of a severity, recipient or rule, if given)' })
  readAll(@Query() query: FeedSelection, @CurrentActor() actor: Actor) {
    return this.queries.markAllRead(actor, query);
  }
}

@ApiTags('alerts')
@ApiBearerAuth()
@Roles('alert-manager', 'admin', 'viewer')
@Controller()
export class AlertsController {
  constructor(private readonly queries: AlertQueries) {}

  @Get('alerts')
  @ApiOperation({
    summary: "Alerts addressed to the caller's agency or to the caller, newest first, showing only those recipients (an admin's: every alert, every recipient)",
  })
  alerts(@Query() query: AlertQuery, @CurrentActor() actor: Caller) {
    return this.queries.alerts(query, actor);
  }

  @Get('alerts/:id')
  @ApiOperation({ summary: "An alert the caller sees (404 otherwise) with its agency's delivery log (an admin's: every delivery) and every attempt" })
  alert(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Caller) {
    return this.queries.alert(id, actor);
  }

  @Get('deliveries')
  @ApiOperation({ summary: "The agency's deliveries by state and channel (an admin's: all); the failed ones are in the dead-letter list too" })
  deliveries(@Query() query: DeliveryQuery, @CurrentActor() actor: Caller) {
    return this.queries.deliveries(query, actor);
  }

  @Get('deliveries/:id')
  @ApiOperation({ summary: 'A delivery with its attempts: time, duration, response code, outcome, error' })
  delivery(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Caller) {
    return this.queries.delivery(id, actor);
  }

  @Post('deliveries/:id/resend')
  @TakesNoBody()
  @HttpCode(200)
  @Roles('alert-manager', 'admin')
  @ApiOperation({ summary: 'Send a failed delivery again (after the receiver is fixed), with a fresh budget of attempts' })
  resend(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Caller) {
    return this.queries.resend(id, actor);
  }

  @Get('dead-letters')
  @ApiOperation({ summary: 'Deliveries that failed every attempt' })
  deadLetters(@Query() query: DeliveryQuery, @CurrentActor() actor: Caller) {
    return this.queries.deadLetters(query, actor);
  }
}
