import { InboxRetention1764100008000, MessagingTables1764100000000 } from '@antq/messaging';
import type { ServiceDefinition } from '@antq/platform';
import { ReplicaUnit, ReplicaUnits1764100001000 } from '@antq/unit-replica';
import { Scoreboards1764100004000 } from './migrations/1764100004000-scoreboards';
import { Campaigns1764100005000 } from './migrations/1764100005000-campaigns';
import { TargetTransitions1764100006000 } from './migrations/1764100006000-target-transitions';
import { ScoreboardQueue1764100009000 } from './migrations/1764100009000-scoreboard-queue';
import { CampaignCancellation1764100016000 } from './migrations/1764100016000-campaign-cancellation';
import { CancelledOn1764100017000 } from './migrations/1764100017000-cancelled-on';
import { TargetAmendments1764100018000 } from './migrations/1764100018000-target-amendments';
import { EvaluatedGoal1764100019000 } from './migrations/1764100019000-evaluated-goal';
import { ProgrammeCoverage1764100024000 } from './migrations/1764100024000-programme-coverage';
import { ProgressQueue1764100025000 } from './migrations/1764100025000-progress-queue';
import { ActivityIdempotencyKeys1764100026000 } from './migrations/1764100026000-activity-idempotency-keys';

export const CAMPAIGNS: ServiceDefinition = {
  service: 'campaigns',
  entities: [ReplicaUnit],
  migrations: [MessagingTables1764100000000, InboxRetention1764100008000, ReplicaUnits1764100001000, Scoreboards1764100004000, Campaigns1764100005000, TargetTransitions1764100006000, ScoreboardQueue1764100009000, CampaignCancellation1764100016000, CancelledOn1764100017000, TargetAmendments1764100018000, EvaluatedGoal1764100019000, ProgrammeCoverage1764100024000, ProgressQueue1764100025000, ActivityIdempotencyKeys1764100026000],
};
