import { Counter, Histogram, register } from 'prom-client';

/** One metric per process, whatever the number of service instances in it (tests run several). */
function once<T>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

export const alertsRaised = once(
  'antq_alerts_raised_total',
  () => new Counter({ name: 'antq_alerts_raised_total', help: 'Alerts raised, by rule and severity', labelNames: ['rule', 'severity'] }),
);

export const deliveryAttempts = once(
  'antq_notification_attempts_total',
  () => new Counter({ name: 'antq_notification_attempts_total', help: 'Delivery attempts by channel and outcome (delivered, retry, failed)', labelNames: ['channel', 'outcome'] }),
);

export const deliveryDuration = once(
  'antq_notification_attempt_seconds',
  () =>
    new Histogram({
      name: 'antq_notification_attempt_seconds',
      help: 'Time one delivery attempt took (request and response), by channel',
      labelNames: ['channel'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
);
