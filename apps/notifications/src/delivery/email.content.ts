import type { AlertSeverity } from '@antq/contracts';

export interface EmailPayload {
  to: string;
  subject: string;
  text: string;
}

const SEVERITY_LABEL: Record<AlertSeverity, string> = { info: 'Thông tin / Info', warning: 'Cảnh báo / Warning', critical: 'KHẨN / CRITICAL' };

/** One alert by email: Vietnamese first, then English. */
export function emailForAlert(
  to: string,
  rule: { name: string; severity: AlertSeverity },
  message: { vi: string; en: string },
  unitPath: string,
  alertId: string,
): EmailPayload {
  return {
    to,
    subject: `[ANTQ] [${SEVERITY_LABEL[rule.severity]}] ${message.vi.slice(0, 150)}`,
    text: [message.vi, '', message.en, '', `Đơn vị / Unit: ${unitPath}`, `Quy tắc / Rule: ${rule.name}`, `Mã cảnh báo / Alert id: ${alertId}`].join('\n'),
  };
}

/** The daily digest: every alert of the period, newest last. */
export function digestEmail(to: string, date: string, alerts: { severity: AlertSeverity; raised_at: Date; message_vi: string; message_en: string }[]): EmailPayload {
  const lines = alerts.map((a, i) => `${i + 1}. [${SEVERITY_LABEL[a.severity]}] ${a.raised_at.toISOString()}\n   ${a.message_vi}\n   ${a.message_en}`);
  return {
    to,
    subject: `[ANTQ] Bản tin cảnh báo ngày ${date} / Alert digest for ${date}: ${alerts.length}`,
    text: [`${alerts.length} cảnh báo / alerts`, '', ...lines].join('\n'),
  };
}
