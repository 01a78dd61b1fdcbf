import 'reflect-metadata';
export * from './asyncapi';
export * from './cloud-event';
export * from './event-catalogue';
export * from './events/assessments.events';
export * from './events/units.events';
export * from './json-schemas';
export * from './topics';
export * from './units';
