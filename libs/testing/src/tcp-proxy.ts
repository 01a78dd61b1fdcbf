import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 in front of a real server (PostgreSQL, say) that a test can cut
 * and restore: cutting drops every open connection and refuses new ones on the same port,
 * as a server that went away does; restoring accepts them again. Freezing keeps every
 * connection open but passes no byte either way, as a network path gone silent does (a
 * connection closed meanwhile still closes its other end); thawing passes what waited.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private listenPort = 0;
  private frozen = false;
  private readonly held: { to: Socket; chunk: Buffer }[] = [];

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  get port(): number {
    return this.listenPort;
  }

  /** A started relay in front of the server a PostgreSQL URL names (its port 5432 if none). */
  static async before(url: string): Promise<TcpProxy> {
    const server = new URL(url);
    return new TcpProxy(server.hostname, Number(server.port || 5432)).start();
  }

  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(this.listenPort);
    return proxied.toString();
  }

  async start(): Promise<this> {
    await this.listen();
    return this;
  }

  /** Drops every connection and refuses new ones until `restore`. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Accepts connections again (nothing to do if it already does). */
  async restore(): Promise<void> {
    if (!this.server) await this.listen();
  }

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const { to, chunk } of this.held.splice(0)) if (!to.destroyed) to.write(chunk);
  }

  stop(): Promise<void> {
    this.held.length = 0;
    return this.cut();
  }

  private listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
      }
      // One side failing or ending ends the other, as a broken network path would.
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      const forward = (to: Socket) => (chunk: Buffer) => {
        if (this.frozen) this.held.push({ to, chunk });
        else to.write(chunk);
      };
      client.on('data', forward(upstream));
      upstream.on('data', forward(client));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => {
        this.listenPort = (server.address() as AddressInfo).port;
        this.server = server;
        resolve();
      });
    });
  }
}
