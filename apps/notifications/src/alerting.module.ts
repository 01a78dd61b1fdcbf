import { Module, type DynamicModule } from '@nestjs/common';
import { AlertEventsHandler } from './alerts/alert-events.handler';
import { AlertQueries } from './alerts/alert.queries';
import { AlertsController, FeedController } from './alerts/alerts.controller';
import { AlertsService } from './alerts/alerts.service';
import { NotificationsConfig, webhookAddressPolicy } from './config/notifications.config';
import { AddressPolicy } from './delivery/address-policy';
import { DeliveryWorker } from './delivery/delivery.worker';
import { EmailSender } from './delivery/email.sender';
import { DigestService } from './digests/digest.service';
import { RulesController } from './rules/rules.controller';
import { RulesService } from './rules/rules.service';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';
import { SubscriptionsService } from './subscriptions/subscriptions.service';

/** Rules, subscriptions, alerts, the in-app feed, webhook and email delivery, digests. */
@Module({})
export class AlertingModule {
  static forRoot(config: NotificationsConfig): DynamicModule {
    return {
      module: AlertingModule,
      controllers: [AlertEventsHandler, RulesController, SubscriptionsController, FeedController, AlertsController],
      providers: [
        { provide: NotificationsConfig, useValue: config },
        { provide: AddressPolicy, useValue: webhookAddressPolicy(config) },
        RulesService,
        SubscriptionsService,
        AlertsService,
        AlertQueries,
        EmailSender,
        DeliveryWorker,
        DigestService,
      ],
      exports: [DeliveryWorker, DigestService, AlertsService],
    };
  }
}
