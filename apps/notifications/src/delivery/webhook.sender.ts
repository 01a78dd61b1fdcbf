import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { SIGNATURE_HEADER, signatureHeader } from './signature';
import { AddressDeniedError, AddressResolutionError, type AddressPolicy } from './address-policy';

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  /** What went wrong, as the delivery log, its API and the failed event tell it. */
  error?: string;
  /** The fuller account, for the server's log only: where a refused host name resolves. */
  logError?: string;
  /** Whether trying again can help (timeouts, 5xx, 429); refusals and 4xx cannot. */
  retryable: boolean;
}

const RETRYABLE_STATUS = new Set([408, 425, 429]);

/**
 * POSTs a signed body to a webhook. The host is resolved once, every address is checked
 * against the policy, and the connection goes to a checked address (so a DNS answer that
 * changes between check and connect cannot redirect it). Redirects are not followed.
 */
export async function sendWebhook(
  policy: AddressPolicy,
  target: { url: string; secrets: string[] },
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<SendResult> {
  // The lookup and the request share the attempt's time: together they end within its lease.
  const deadline = Date.now() + timeoutMs;
  let checked: Awaited<ReturnType<AddressPolicy['check']>>;
  try {
    checked = await policy.check(target.url, timeoutMs);
  } catch (error) {
    if (error instanceof AddressDeniedError) {
      return { ok: false, statusCode: null, error: `refused: ${error.publicMessage}`, logError: `refused: ${error.message}`, retryable: false };
    }
    // A DNS failure is often a blip: try again later, within the budget of attempts.
    if (error instanceof AddressResolutionError) return { ok: false, statusCode: null, error: error.message, retryable: true };
    throw error;
  }
  const [first] = checked.addresses;
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, checked.addresses);
    else callback(null, first.address, first.family);
  };
  const request = checked.url.protocol === 'https:' ? httpsRequest : httpRequest;
  const remainingMs = Math.max(1, deadline - Date.now());
  return new Promise<SendResult>((resolve) => {
    const req = request(
      checked.url,
      {
        method: 'POST',
        lookup,
        timeout: remainingMs,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'ANTQ-Webhooks/1',
          [SIGNATURE_HEADER]: signatureHeader(target.secrets, body),
          ...headers,
        },
      },
      (response: IncomingMessage) => {
        response.resume();
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve({ ok: true, statusCode: status, retryable: false });
          else resolve({ ok: false, statusCode: status, error: `HTTP ${status}`, retryable: status >= 500 || RETRYABLE_STATUS.has(status) });
        });
        response.on('error', (error) => resolve({ ok: false, statusCode: response.statusCode ?? null, error: error.message, retryable: true }));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no response within ${timeoutMs} ms`)), remainingMs);
    req.on('timeout', () => req.destroy(new Error(`no response within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ ok: false, statusCode: null, error: error.message, retryable: true }));
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}
