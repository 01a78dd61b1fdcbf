import { InboxRetention1764100008000, MessagingTables1764100000000 } from '@antq/messaging';
import type { ServiceDefinition } from '@antq/platform';
import { ReplicaUnit, ReplicaUnits1764100001000 } from '@antq/unit-replica';
import { Notifications1764100005000 } from './migrations/1764100005000-notifications';
import { NotificationUserKeys1764100010000 } from './migrations/1764100010000-user-keys';
import { AlertRuleOwners1764100011000 } from './migrations/1764100011000-rule-owners';
import { DigestedFeedItems1764100012000 } from './migrations/1764100012000-digested-feed-items';
import { WebhookDeliveriesByAgency1764100014000 } from './migrations/1764100014000-webhook-deliveries-by-agency';
import { CampaignCancelledRule1764100016000 } from './migrations/1764100016000-campaign-cancelled-rule';
import { TargetAmendedRule1764100018000 } from './migrations/1764100018000-target-amended-rule';
import { DigestSince1764100020000 } from './migrations/1764100020000-digest-since';
import { FeedItemsHeldForDigest1764100022000 } from './migrations/1764100022000-feed-items-held-for-digest';
import { PreviousWebhookSecret1764100028000 } from './migrations/1764100028000-previous-webhook-secret';
import { StatusLostWithoutClosures1764100029000 } from './migrations/1764100029000-status-lost-without-closures';

export const NOTIFICATIONS: ServiceDefinition = {
  service: 'notifications',
  entities: [ReplicaUnit],
  migrations: [MessagingTables1764100000000, InboxRetention1764100008000, ReplicaUnits1764100001000, Notifications1764100005000, NotificationUserKeys1764100010000, AlertRuleOwners1764100011000, DigestedFeedItems1764100012000, WebhookDeliveriesByAgency1764100014000, CampaignCancelledRule1764100016000, TargetAmendedRule1764100018000, DigestSince1764100020000, FeedItemsHeldForDigest1764100022000, PreviousWebhookSecret1764100028000, StatusLostWithoutClosures1764100029000],
};
