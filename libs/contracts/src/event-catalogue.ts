import { AssessmentOverdueData, AssessmentStepData, KeyAreaDecidedData, ProgrammeVersionPublishedData, UnitStatusChangedData } from './events/assessments.events';
import { CampaignCancelledData, CampaignCreatedData, ScoreboardUpdatedData, TargetAmendedData, TargetProgressData, TargetStateChangedData } from './events/campaigns.events';
import { AlertRaisedData, NotificationDeliveredData, NotificationFailedData } from './events/notifications.events';
import {
  UnitClosedData,
  UnitCreatedData,
  UnitMergedData,
  UnitMovedData,
  UnitSplitData,
  UnitUpdatedData,
} from './events/units.events';
import { EVENT_TOPICS, type EventTopicKey, type ServiceName } from './topics';

type DataClass<T> = new () => T;

export interface EventDefinition<T = unknown> {
  /** The topic the event travels on. */
  topic: EventTopicKey;
  /** The service that publishes the event. */
  producer: ServiceName;
  /** The class-validator class of `data`: the single source of its JSON Schema. */
  dataClass: DataClass<T>;
  summary: string;
  /** What the subject and record key name: a unit (the default), or a programme for programme versions. */
  subject?: 'unit' | 'programme';
}

function define<T>(definition: EventDefinition<T>): EventDefinition<T> {
  return definition;
}

/**
 * The event catalogue: every event type the platform publishes, its payload class and
 * topic. JSON Schemas and the AsyncAPI document are generated from this map.
 */
export const EVENT_CATALOGUE = {
  'antq.units.unit-created.v1': define({
    topic: 'units',
    producer: 'units-registry',
    dataClass: UnitCreatedData,
    summary: 'A unit was added to the registry.',
  }),
  'antq.units.unit-updated.v1': define({
    topic: 'units',
    producer: 'units-registry',
    dataClass: UnitUpdatedData,
    summary: 'A unit was renamed, or its subtype or tags changed, from a date; `changes` lists what changed.',
  }),
  'antq.units.unit-moved.v1': define({
    topic: 'units',
    producer: 'units-registry',
    dataClass: UnitMovedData,
    summary: 'A unit was placed under another parent from a date.',
  }),
  'antq.units.unit-closed.v1': define({
    topic: 'units',
    producer: 'units-registry',
    dataClass: UnitClosedData,
    summary: 'A unit ceased to exist from a date: closed, merged, split, or its level abolished.',
  }),
  'antq.units.unit-merged.v1': define({
    topic: 'units',
    producer: 'units-registry',
    dataClass: UnitMergedData,
    summary: 'Keyed by the target unit: the units merged into it from a date.',
  }),
  'antq.units.unit-split.v1': define({
    topic: 'units',
    producer: 'units-registry',
    dataClass: UnitSplitData,
    summary: 'Keyed by the source unit: the units it was split into from a date.',
  }),
  'antq.assessments.assessment-drafted.v1': define({
    topic: 'assessments',
    producer: 'assessments',
    dataClass: AssessmentStepData,
    summary: 'An assessment was opened as a draft (self-assessment in progress).',
  }),
  'antq.assessments.assessment-submitted.v1': define({
    topic: 'assessments',
    producer: 'assessments',
    dataClass: AssessmentStepData,
    summary: 'A unit submitted its self-assessment with evidence.',
  }),
  'antq.assessments.assessment-verified.v1': define({
    topic: 'assessments',
    producer: 'assessments',
    dataClass: AssessmentStepData,
    summary: 'The verifying agency (police or a council) verified the assessment.',
  }),
  'antq.assessments.assessment-recognised.v1': define({
    topic: 'assessments',
    producer: 'assessments',
    dataClass: AssessmentStepData,
    summary: 'The recognising authority recognised the unit, by decision.',
  }),
  'antq.assessments.assessment-not-recognised.v1': define({
    topic: 'assessments',
    producer: 'assessments',
    dataClass: AssessmentStepData,
    summary: 'The recognising authority decided, by decision, that the verified result does not reach the programme (not yet safe, a weak grade): the unit holds it as its status for the cycle.',
  }),
  'antq.assessments.assessment-rejected.v1': define({
    topic: 'assessments',
    producer: 'assessments',
    dataClass: AssessmentStepData,
    summary: 'The assessment was returned with reasons.',
  }),
  'antq.assessments.assessment-withdrawn.v1': define({
    topic: 'assessments',
    producer: 'assessments',
    dataClass: AssessmentStepData,
    summary: 'The assessing side took back its draft or submission before verification, saying why; the unit may be assessed afresh for the cycle.',
  }),
  'antq.assessments.assessment-revoked.v1': define({
    topic: 'assessments',
    producer: 'assessments',
    dataClass: AssessmentStepData,
    summary: 'A recognition was revoked before the end of its validity.',
  }),
  'antq.assessments.assessment-lapsed.v1': define({
    topic: 'assessments',
    producer: 'assessments',
    dataClass: AssessmentStepData,
    summary: 'A recognition reached the end of its validity without renewal.',
  }),
  'antq.assessments.unit-status-changed.v1': define({
    topic: 'assessments',
    producer: 'assessments',
    dataClass: UnitStatusChangedData,
    summary: "A unit's status under a programme changed (recognised, derived, revoked, lapsed, ...), with before and after.",
  }),
  'antq.assessments.programme-version-published.v1': define({
    topic: 'assessments',
    producer: 'assessments',
    dataClass: ProgrammeVersionPublishedData,
    summary: 'A programme version took effect from a date: the kinds it applies to and its whole definition. Keyed by the programme code.',
    subject: 'programme',
  }),
  'antq.campaigns.scoreboard-updated.v1': define({
    topic: 'campaigns',
    producer: 'campaigns',
    dataClass: ScoreboardUpdatedData,
    summary: "A unit's scoreboard under a programme changed: its descendants by kind, status and grade.",
  }),
  'antq.campaigns.campaign-created.v1': define({
    topic: 'campaigns',
    producer: 'campaigns',
    dataClass: CampaignCreatedData,
    summary: 'A campaign was planned: its scope, period and targets. Keyed by the scope root unit.',
  }),
  'antq.campaigns.campaign-cancelled.v1': define({
    topic: 'campaigns',
    producer: 'campaigns',
    dataClass: CampaignCancelledData,
    summary: 'A campaign was called off before its end: its targets are evaluated no more and keep their last state. Keyed by the scope root unit.',
  }),
  'antq.campaigns.target-amended.v1': define({
    topic: 'campaigns',
    producer: 'campaigns',
    dataClass: TargetAmendedData,
    summary: "A target's goal was revised mid-campaign, saying why; its progress follows. Keyed by the scope root unit.",
  }),
  'antq.campaigns.target-progress-changed.v1': define({
    topic: 'campaigns',
    producer: 'campaigns',
    dataClass: TargetProgressData,
    summary: "A target's progress changed: value, goal, share done, projection to the deadline, state.",
  }),
  'antq.campaigns.target-state-changed.v1': define({
    topic: 'campaigns',
    producer: 'campaigns',
    dataClass: TargetStateChangedData,
    summary: 'A target turned on track, at risk, achieved or missed (one event per transition).',
  }),
  'antq.assessments.key-area-decided.v1': define({
    topic: 'assessments',
    producer: 'assessments',
    dataClass: KeyAreaDecidedData,
    summary: "A decision on a key complex area's place on the list (designated, followed up, removed), or its carry-over into the next cycle, with the decision's number and date.",
  }),
  'antq.assessments.assessment-overdue.v1': define({
    topic: 'assessments',
    producer: 'assessments',
    dataClass: AssessmentOverdueData,
    summary: "A programme cycle's deadline passed without a recognition of the unit (once per unit, programme and cycle).",
  }),
  'antq.notifications.alert-raised.v1': define({
    topic: 'notifications',
    producer: 'notifications',
    dataClass: AlertRaisedData,
    summary: 'An alert rule matched a fact: raised exactly once per rule and fact, with its message and recipients.',
  }),
  'antq.notifications.notification-delivered.v1': define({
    topic: 'notifications',
    producer: 'notifications',
    dataClass: NotificationDeliveredData,
    summary: 'A webhook or email notification was delivered (attempts and last response code).',
  }),
  'antq.notifications.notification-failed.v1': define({
    topic: 'notifications',
    producer: 'notifications',
    dataClass: NotificationFailedData,
    summary: 'A webhook or email notification failed every attempt; it is kept as a dead-letter record.',
  }),
} as const;

export type EventType = keyof typeof EVENT_CATALOGUE;
export type EventData<T extends EventType> =
  (typeof EVENT_CATALOGUE)[T] extends EventDefinition<infer D> ? D : never;

export function isKnownEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_CATALOGUE, type);
}

/** Whether an event is about a unit (its subject and key the unit id), as all but programme versions are. */
export function isUnitEvent(type: EventType): boolean {
  return (EVENT_CATALOGUE[type] as EventDefinition).subject !== 'programme';
}

export function topicOf(type: EventType): string {
  return EVENT_TOPICS[EVENT_CATALOGUE[type].topic].name;
}
