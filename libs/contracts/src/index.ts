import 'reflect-metadata';
import { cacheValidationMetadata } from './validation-metadata';
export * from './asyncapi';
export * from './cloud-event';
export * from './dates';
export * from './event-catalogue';
export * from './ids';
export * from './events/assessments.events';
export * from './events/campaigns.events';
export * from './events/notifications.events';
export * from './events/units.events';
export * from './json-schemas';
export * from './programmes';
export * from './topics';
export * from './units';
export * from './validation-metadata';

// Every service validates its requests and events through class-validator's one storage.
cacheValidationMetadata();
