import { ConfigError } from '@antq/platform';
import { loadNotificationsConfig } from './notifications.config';

describe('notifications configuration', () => {
  it('defaults to denying internal networks and converts values', () => {
    const config = loadNotificationsConfig({ DELIVERY_MAX_ATTEMPTS: '3', DELIVERY_WORKER_ENABLED: 'false', SMTP_URL: 'smtp://mail:25' });
    expect(config).toMatchObject({ DELIVERY_MAX_ATTEMPTS: 3, DELIVERY_WORKER_ENABLED: false, SMTP_URL: 'smtp://mail:25', WEBHOOK_ALLOW_CIDRS: '' });
    expect(config.WEBHOOK_DENY_CIDRS).toContain('10.0.0.0/8');
  });

  it('stops at start-up naming every bad setting', () => {
    const attempt = () =>
      loadNotificationsConfig({ WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32,intranet', WEBHOOK_DENY_CIDRS: '10.0.0.0/40', SMTP_URL: 'http://mail', NOTIFICATIONS_TIME_ZONE: 'Mars/Olympus' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/WEBHOOK_ALLOW_CIDRS: "intranet" is not an address or CIDR block/);
    expect(attempt).toThrow(/WEBHOOK_DENY_CIDRS: "10\.0\.0\.0\/40" has an invalid prefix length/);
    expect(attempt).toThrow(/SMTP_URL must be an smtp/);
    expect(attempt).toThrow(/NOTIFICATIONS_TIME_ZONE must be an IANA time zone/);
  });
});
