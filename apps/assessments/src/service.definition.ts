import { InboxRetention1764100008000, MessagingTables1764100000000 } from '@antq/messaging';
import type { ServiceDefinition } from '@antq/platform';
import { ReplicaUnit, ReplicaUnits1764100001000 } from '@antq/unit-replica';
import { Assessments1764100003000 } from './migrations/1764100003000-assessments';
import { OverdueNotices1764100006000 } from './migrations/1764100006000-overdue-notices';
import { DerivationQueue1764100007000 } from './migrations/1764100007000-derivation-queue';
import { OneOpenAssessment1764100012000 } from './migrations/1764100012000-one-open-assessment';
import { KeyAreaDecisions1764100013000 } from './migrations/1764100013000-key-area-decisions';
import { ProgrammesPerKind1764100014000 } from './migrations/1764100014000-programmes-per-kind';
import { AssessmentsByState1764100016000 } from './migrations/1764100016000-assessments-by-state';
import { PublishedProgrammes1764100023000 } from './migrations/1764100023000-published-programmes';
import { BoundedNumberCriteria1764100027000 } from './migrations/1764100027000-bounded-number-criteria';

export const ASSESSMENTS: ServiceDefinition = {
  service: 'assessments',
  entities: [ReplicaUnit],
  migrations: [MessagingTables1764100000000, InboxRetention1764100008000, ReplicaUnits1764100001000, Assessments1764100003000, OverdueNotices1764100006000, DerivationQueue1764100007000, OneOpenAssessment1764100012000, KeyAreaDecisions1764100013000, ProgrammesPerKind1764100014000, AssessmentsByState1764100016000, PublishedProgrammes1764100023000, BoundedNumberCriteria1764100027000],
};
