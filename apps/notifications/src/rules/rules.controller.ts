import { Body, Controller, Delete, Get, Param, Post, Put } from '@nestjs/common';
import { ParseIdPipe, TakesNoBody } from '@antq/platform';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles } from '@antq/auth';
import type { Actor } from '@antq/contracts';
import { ALERTABLE_EVENT_TYPES, fieldPaths } from './event-fields';
import { RuleRequest } from './rule.requests';
import { RulesService } from './rules.service';
import { WELL_KNOWN_PLACEHOLDERS } from './template';

@ApiTags('alert rules')
@ApiBearerAuth()
@Controller('rules')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  @Get()
  @ApiOperation({ summary: 'Every alert rule, enabled or not' })
  list() {
    return this.rules.list();
  }

  @Get('event-types')
  @ApiOperation({ summary: 'Event types rules may be written for, with the fields conditions and templates may use' })
  eventTypes() {
    return {
      placeholders: WELL_KNOWN_PLACEHOLDERS,
      eventTypes: ALERTABLE_EVENT_TYPES.map((type) => ({ type, fields: fieldPaths(type) })),
    };
  }

  @Get(':id')
  get(@Param('id', ParseIdPipe) id: string) {
    return this.rules.get(id);
  }

  @Post()
  @Roles('alert-manager', 'admin')
  @ApiOperation({ summary: 'Add a rule; its condition and templates are checked against the event schema' })
  create(@Body() request: RuleRequest, @CurrentActor() actor: Actor) {
    return this.rules.create(request, actor);
  }

  @Put(':id')
  @Roles('alert-manager', 'admin')
  @ApiOperation({ summary: 'Replace a rule (a new version of it)' })
  replace(@Param('id', ParseIdPipe) id: string, @Body() request: RuleRequest, @CurrentActor() actor: Actor) {
    return this.rules.replace(id, request, actor);
  }

  @Delete(':id')
  @TakesNoBody()
  @Roles('alert-manager', 'admin')
  @ApiOperation({ summary: 'Disable a rule (alerts it raised keep their history)' })
  disable(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor) {
    return this.rules.disable(id, actor);
  }
}
