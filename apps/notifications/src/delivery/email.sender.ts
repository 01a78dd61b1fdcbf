import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { NotificationsConfig } from '../config/notifications.config';
import type { EmailPayload } from './email.content';
import type { SendResult } from './webhook.sender';

/** Sends email over SMTP (SMTP_URL), one pooled transport per instance. */
@Injectable()
export class EmailSender implements OnApplicationShutdown {
  private transport?: Transporter;

  constructor(private readonly config: NotificationsConfig) {}

  async send(payload: EmailPayload, headers: Record<string, string>): Promise<SendResult> {
    if (!this.config.SMTP_URL) return { ok: false, statusCode: null, error: 'email is not configured (SMTP_URL is not set)', retryable: false };
    this.transport ??= createTransport(this.config.SMTP_URL, { from: this.config.SMTP_FROM });
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
