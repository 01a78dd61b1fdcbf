import { createTransport } from 'nodemailer';
import { loadNotificationsConfig } from '../config/notifications.config';
import { leaseSeconds } from './delivery.worker';
import { EMAIL_ATTEMPT_MAX_MS, EmailSender, SMTP_TIMEOUTS } from './email.sender';

jest.mock('nodemailer', () => ({ createTransport: jest.fn(() => ({ sendMail: jest.fn(async () => ({ response: '250 OK' })), close: jest.fn() })) }));

describe('a delivery claim outlasts the attempt it covers', () => {
  it('sends email with SMTP time limits, not nodemailer defaults of minutes', async () => {
    const config = loadNotificationsConfig({ SMTP_URL: 'smtp://mail.example.vn:25' });
    await new EmailSender(config).send({ to: 'a@b.vn', subject: 's', text: 't' }, {});
    const [[transport, defaults]] = jest.mocked(createTransport).mock.calls as unknown as [[Record<string, unknown>, Record<string, unknown>]];
    expect(transport).toEqual({
      url: 'smtp://mail.example.vn:25',
      connectionTimeout: SMTP_TIMEOUTS.connectionMs,
      dnsTimeout: SMTP_TIMEOUTS.connectionMs,
      greetingTimeout: SMTP_TIMEOUTS.greetingMs,
      socketTimeout: SMTP_TIMEOUTS.socketMs,
    });
    expect(defaults).toEqual({ from: config.SMTP_FROM });
  });

  it('claims an email longer than the slowest SMTP exchange the limits allow', () => {
    // Connecting (DNS, TCP, greeting) within connectionTimeout, then every reply within socketTimeout.
    expect(SMTP_TIMEOUTS.greetingMs).toBeLessThanOrEqual(SMTP_TIMEOUTS.connectionMs);
    expect(EMAIL_ATTEMPT_MAX_MS).toBeGreaterThanOrEqual(SMTP_TIMEOUTS.connectionMs + 8 * SMTP_TIMEOUTS.socketMs);
    for (const timeout of [100, 5_000, 60_000]) {
      const lease = leaseSeconds({ WEBHOOK_TIMEOUT_MS: timeout });
      expect(lease.email * 1000).toBeGreaterThan(EMAIL_ATTEMPT_MAX_MS);
      expect(lease.webhook * 1000).toBeGreaterThan(timeout);
    }
    // And both stay short enough that a crashed worker's deliveries are picked up within minutes.
    expect(leaseSeconds({ WEBHOOK_TIMEOUT_MS: 60_000 }).webhook).toBeLessThanOrEqual(120);
    expect(leaseSeconds({ WEBHOOK_TIMEOUT_MS: 5_000 }).email).toBeLessThanOrEqual(300);
  });
});
