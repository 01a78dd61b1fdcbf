import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { NotificationsConfig } from '../config/notifications.config';
import type { EmailPayload } from './email.content';
import type { SendResult } from './webhook.sender';

/**
 * SMTP time limits. nodemailer's defaults (2 minutes to connect, 10 minutes of silence)
 * outlast a delivery's claim, so a slow server would let another worker claim the
 * delivery and send the email again. Connecting, including the DNS lookup and the
 * greeting, takes at most `connectionMs`; each later wait for the server at most `socketMs`.
 */
export const SMTP_TIMEOUTS = { connectionMs: 10_000, greetingMs: 10_000, socketMs: 15_000 } as const;

/**
 * Server replies one email waits for after the greeting: EHLO, STARTTLS, EHLO again, AUTH
 * (two steps for LOGIN), MAIL FROM, RCPT TO, DATA and the end of the data, with one to spare.
 */
const SMTP_EXCHANGES = 10;

/** The longest one email attempt can take with these limits: what its claim must outlast. */
export const EMAIL_ATTEMPT_MAX_MS = SMTP_TIMEOUTS.connectionMs + SMTP_EXCHANGES * SMTP_TIMEOUTS.socketMs;

/** nodemailer's transport options: SMTP_URL with the time limits above, and the sender. */
export function smtpTransportOptions(url: string, from: string): { transport: SMTPTransport.Options; defaults: { from: string } } {
  return {
    transport: {
      url,
      connectionTimeout: SMTP_TIMEOUTS.connectionMs,
      dnsTimeout: SMTP_TIMEOUTS.connectionMs,
      greetingTimeout: SMTP_TIMEOUTS.greetingMs,
      socketTimeout: SMTP_TIMEOUTS.socketMs,
    },
    defaults: { from },
  };
}

/** Sends email over SMTP (SMTP_URL), one transport per instance. */
@Injectable()
export class EmailSender implements OnApplicationShutdown {
  private transport?: Transporter;

  constructor(private readonly config: NotificationsConfig) {}

  async send(payload: EmailPayload, headers: Record<string, string>): Promise<SendResult> {
    if (!this.config.SMTP_URL) return { ok: false, statusCode: null, error: 'email is not configured (SMTP_URL is not set)', retryable: false };
    if (!this.transport) {
      const { transport, defaults } = smtpTransportOptions(this.config.SMTP_URL, this.config.SMTP_FROM);
      this.transport = createTransport(transport, defaults);
    }
    try {
      const info = (await this.transport.sendMail({ to: payload.to, subject: payload.subject, text: payload.text, headers })) as { response?: string; rejected?: unknown[] };
      const code = Number(/^(\d{3})/.exec(info.response ?? '')?.[1] ?? 250);
      if (info.rejected?.length) return { ok: false, statusCode: code, error: `recipient rejected: ${String(info.rejected.join(', '))}`, retryable: false };
      return { ok: true, statusCode: code, retryable: false };
    } catch (error) {
      const { responseCode, message } = error as { responseCode?: number; message: string };
      // 5xx replies are permanent (bad address, refused); connection trouble and 4xx are worth retrying.
      return { ok: false, statusCode: responseCode ?? null, error: message, retryable: !(responseCode && responseCode >= 500) };
    }
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
