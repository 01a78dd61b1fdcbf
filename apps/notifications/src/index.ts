/** What end-to-end tests and benchmarks need to run this service in process. */
export { NotificationsModule } from './app.module';
export { NOTIFICATIONS } from './service.definition';
export { DeliveryWorker } from './delivery/delivery.worker';
export { DigestService } from './digests/digest.service';
export { verifySignature, SIGNATURE_HEADER } from './delivery/signature';
export { NotificationsConfig } from './config/notifications.config';
