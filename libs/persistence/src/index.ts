export * from './data-source.options';
export * from './database-admin';
export * from './database-errors';
export * from './notification-listener';
export * from './queue-worker';
export * from './metrics';
export * from './statement-preparation';
export * from './counted-page';
