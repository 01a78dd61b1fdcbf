import 'reflect-metadata';

export * from './eventually';
export * from './kafka-probe';
export * from './test-env';
export * from './test-service';
export * from './private-broker';
export * from './http-client';
export * from './test-events';
export * from './unit-fixtures';
export * from './identity-provider';
export * from './tcp-proxy';
export * from './run-script';
export * from './settable-clock';
export * from './schema-after';
export * from './generic-plan';
export * from './held-locks';
export * from './event-schemas';
