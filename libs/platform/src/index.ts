export * from './bootstrap';
export * from './platform-exception.filter';
export * from './errors';
export * from './platform.module';
export * from './service-config';
export * from './migrate';
export * from './run-service';
export * from './query-params';
