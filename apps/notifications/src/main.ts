import 'reflect-metadata';
import { runService } from '@antq/platform';
import { NotificationsModule } from './app.module';
import { NOTIFICATIONS } from './service.definition';

runService(NOTIFICATIONS, (env) => NotificationsModule.forRoot(env), {
  title: 'ANTQ notifications',
  description: 'Alert rules, subscriptions, channels and the delivery log.',
});
