/* eslint-disable @typescript-eslint/no-explicit-any -- tests assert on response shapes rather than type them */
import { Agent, request, type Dispatcher } from 'undici';

/**
 * Connections kept alive across requests and clients. Idle ones are dropped before a
 * service's 5 s keep-alive ends, so none is reused just as the server closes it.
 */
const dispatcher = new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000 });

/**
 * A small JSON client for a service under test, carrying a bearer token. It uses undici's
 * `request` rather than `fetch`: benchmarks load services that share its event loop, and the
 * CPU `fetch` spends on streams and WHATWG objects showed in their figures.
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  withToken(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  async request<T = any>(method: Dispatcher.HttpMethod, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
    // Parsed as fetch parses it: spaces and Vietnamese letters in a query get percent-encoded.
    const response = await request(new URL(`${this.baseUrl}${path}`), {
      method,
      dispatcher,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: (text ? JSON.parse(text) : undefined) as T };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }

  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }

  patch<T = any>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
}
