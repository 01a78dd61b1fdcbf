/** What end-to-end tests and benchmarks need to run this service in process. */
export { NotificationsModule } from './app.module';
export { NOTIFICATIONS } from './service.definition';
