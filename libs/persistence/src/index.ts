export * from './data-source.options';
export * from './database-admin';
export * from './notification-listener';
export * from './queue-worker';
export * from './metrics';
