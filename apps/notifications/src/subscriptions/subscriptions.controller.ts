import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ParseIdPipe, TakesNoBody } from '@antq/platform';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, Roles } from '@antq/auth';
import type { Actor } from '@antq/contracts';
import type { Caller } from './agency-scope';
import { AgencyParam, PreferencesRequest, ResponsibilitiesRequest, RotateSecretRequest, SubscriptionRequest, WebhookRequest } from './subscription.requests';
import { agencyKey, SubscriptionsService, userKey } from './subscriptions.service';

@ApiTags('subscriptions')
@ApiBearerAuth()
@Controller()
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Post('subscriptions')
  @ApiOperation({ summary: 'Subscribe the caller or its agency to a subtree, event types and a minimum severity' })
  subscribe(@Body() request: SubscriptionRequest, @CurrentActor() actor: Caller) {
    return this.subscriptions.subscribe(request, actor);
  }

  @Get('subscriptions')
  @ApiOperation({ summary: "The caller's and its agency's subscriptions" })
  list(@CurrentActor() actor: Actor) {
    return this.subscriptions.subscriptions(actor);
  }

  @Delete('subscriptions/:id')
  @TakesNoBody()
  @HttpCode(204)
  async unsubscribe(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor) {
    await this.subscriptions.unsubscribe(id, actor);
  }

  @Get('preferences/me')
  myPreferences(@CurrentActor() actor: Actor) {
    return this.subscriptions.preferences(userKey(actor));
  }

  @Put('preferences/me')
  @ApiOperation({ summary: "The caller's channels, email, digest, quiet hours and time zone" })
  setMyPreferences(@Body() request: PreferencesRequest, @CurrentActor() actor: Actor) {
    return this.subscriptions.setPreferences(userKey(actor), request);
  }

  @Get('preferences/agency')
  agencyPreferences(@CurrentActor() actor: Actor) {
    return this.subscriptions.preferences(agencyKey(actor.agency));
  }

  @Put('preferences/agency')
  @Roles('alert-manager', 'admin')
  @ApiOperation({ summary: "The agency's channels (e.g. its duty desk's email), digest, quiet hours" })
  setAgencyPreferences(@Body() request: PreferencesRequest, @CurrentActor() actor: Actor) {
    return this.subscriptions.setPreferences(agencyKey(actor.agency), request);
  }

  @Post('webhooks')
  @Roles('alert-manager', 'admin')
  @ApiOperation({ summary: 'Register a webhook; the response shows its signing secret once, never again' })
  addWebhook(@Body() request: WebhookRequest, @CurrentActor() actor: Caller) {
    return this.subscriptions.addWebhook(request, actor);
  }

  // Their URLs may carry an integrator's tokens: the roles that read the delivery log.
  @Get('webhooks')
  @Roles('alert-manager', 'admin', 'viewer')
  @ApiOperation({ summary: "The agency's webhooks (without secrets)" })
  webhooks(@CurrentActor() actor: Actor) {
    return this.subscriptions.webhooks(actor);
  }

  @Get('webhooks/:id')
  @Roles('alert-manager', 'admin', 'viewer')
  webhook(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor) {
    return this.subscriptions.webhook(id, actor);
  }

  @Post('webhooks/:id/secret')
  @HttpCode(200)
  @Roles('alert-manager', 'admin')
  @ApiOperation({ summary: 'Replace the signing secret, shown once; the replaced one keeps signing beside it for a while (24 hours unless said otherwise)' })
  rotateSecret(@Param('id', ParseIdPipe) id: string, @Body() request: RotateSecretRequest, @CurrentActor() actor: Actor) {
    return this.subscriptions.rotateSecret(id, request, actor);
  }

  @Delete('webhooks/:id')
  @TakesNoBody()
  @Roles('alert-manager', 'admin')
  @ApiOperation({ summary: 'Disable a webhook' })
  disableWebhook(@Param('id', ParseIdPipe) id: string, @CurrentActor() actor: Actor) {
    return this.subscriptions.disableWebhook(id, actor);
  }

  @Get('responsibilities')
  @ApiOperation({ summary: 'Which agency answers for which units (they hear of everything below them)' })
  responsibilities() {
    return this.subscriptions.responsibilities();
  }

  @Put('responsibilities/:agency')
  @Roles('alert-manager', 'admin')
  @ApiOperation({ summary: "Set an agency's units: the caller's own agency (within its jurisdiction, if the token names one), or any agency for an admin" })
  setResponsibilities(@Param() { agency }: AgencyParam, @Body() request: ResponsibilitiesRequest, @CurrentActor() actor: Caller) {
    return this.subscriptions.setResponsibilities(actor, agency, request.unitIds);
  }
}
