import { ConfigError } from '@antq/platform';
import { loadNotificationsConfig, webhookAddressPolicy } from './notifications.config';

describe('notifications configuration', () => {
  it('defaults to denying internal networks and converts values', () => {
    const config = loadNotificationsConfig({ DELIVERY_MAX_ATTEMPTS: '3', DELIVERY_WORKER_ENABLED: 'false', SMTP_URL: 'smtp://mail:25' });
    expect(config).toMatchObject({ DELIVERY_MAX_ATTEMPTS: 3, DELIVERY_WORKER_ENABLED: false, SMTP_URL: 'smtp://mail:25', WEBHOOK_ALLOW_CIDRS: '' });
    expect(config.WEBHOOK_DENY_CIDRS).toBe('');
    const policy = webhookAddressPolicy(config);
    for (const address of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', 'fec0::1']) expect(policy.refusal(address)).toMatch(/denied range/);
    expect(policy.refusal('203.0.113.10')).toBeUndefined();
  });

  it('keeps the default denied ranges when WEBHOOK_DENY_CIDRS adds one; WEBHOOK_ALLOW_CIDRS still opens a range', () => {
    const policy = webhookAddressPolicy(loadNotificationsConfig({ WEBHOOK_DENY_CIDRS: '198.51.100.0/24' }));
    for (const address of ['127.0.0.1', '10.0.0.1', '192.168.1.1', 'fd00::1', 'fec0::1', '::ffff:127.0.0.1']) {
      expect({ address, refusal: policy.refusal(address) }).toEqual({ address, refusal: expect.stringMatching(/denied range \(built in\)/) });
    }
    // The refusal says where the range comes from.
    expect(policy.refusal('198.51.100.9')).toBe('address 198.51.100.9 is in a denied range (WEBHOOK_DENY_CIDRS) and not in WEBHOOK_ALLOW_CIDRS');
    expect(policy.refusal('203.0.113.10')).toBeUndefined();
    const allowed = webhookAddressPolicy(loadNotificationsConfig({ WEBHOOK_DENY_CIDRS: '198.51.100.0/24', WEBHOOK_ALLOW_CIDRS: '10.0.0.0/24, 198.51.100.9' }));
    expect(allowed.refusal('10.0.0.1')).toBeUndefined();
    expect(allowed.refusal('198.51.100.9')).toBeUndefined();
    expect(allowed.refusal('10.0.1.1')).toMatch(/denied range/);
    expect(allowed.refusal('198.51.100.10')).toMatch(/denied range/);
    expect(allowed.refusal('127.0.0.1')).toMatch(/denied range/);
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
