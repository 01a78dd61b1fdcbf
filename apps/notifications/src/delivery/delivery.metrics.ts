import { Counter, Histogram } from 'prom-client';
import { processMetric } from '@antq/persistence';

export const alertsRaised = processMetric(
  'antq_alerts_raised_total',
  () => new Counter({ name: 'antq_alerts_raised_total', help: 'Alerts raised, by rule and severity', labelNames: ['rule', 'severity'] }),
);

export const deliveryAttempts = processMetric(
  'antq_notification_attempts_total',
  () => new Counter({ name: 'antq_notification_attempts_total', help: 'Delivery attempts by channel and outcome (delivered, retry, failed)', labelNames: ['channel', 'outcome'] }),
);

export const deliveryDuration = processMetric(
  'antq_notification_attempt_seconds',
  () =>
    new Histogram({
      name: 'antq_notification_attempt_seconds',
      help: 'Time one delivery attempt took (request and response), by channel',
      labelNames: ['channel'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
);
