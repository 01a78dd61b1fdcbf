import { Agent, request } from 'node:http';

/**
 * The benchmarks' load generator: JSON over node:http with kept-alive connections. It
 * shares an event loop with the services it loads, and `fetch` spends several times the
 * CPU per request (WHATWG streams and headers), which the measured services would pay for.
 */
export class LoadClient {
  // Idle sockets are dropped before the services' 5 s keep-alive ends, so none is reused as the server closes it.
  private readonly agent = new Agent({ keepAlive: true, timeout: 4_000 });
  private readonly url: URL;

  constructor(
    baseUrl: string,
    private readonly token: string,
  ) {
    this.url = new URL(baseUrl);
  }

  post<T = unknown>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          path,
          method: 'POST',
          headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json', 'content-length': payload.length },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            try {
              resolve({ status: response.statusCode ?? 0, body: (text ? JSON.parse(text) : undefined) as T });
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
