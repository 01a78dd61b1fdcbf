import { Client, type ClientConfig } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';

/**
 * A session of its own on the data source's database (for LISTEN and session locks), with
 * TCP keepalives, and a connection attempt that gives up after 10 s rather than never.
 */
export function sessionConfig(dataSource: DataSource, applicationName: string): ClientConfig {
  const options = dataSource.options as PostgresDataSourceOptions;
  const session = { application_name: applicationName, keepAlive: true, connectionTimeoutMillis: 10_000 };
  return options.url
    ? { connectionString: options.url, ...session }
    : {
        host: options.host,
        port: options.port,
        user: options.username,
        password: typeof options.password === 'string' ? options.password : undefined,
        database: options.database,
        ...session,
      };
}

/**
 * Lets a polling loop sleep until its next poll or until it is poked (a NOTIFY arrived,
 * work was handed over), whichever comes first. A poke while the loop is busy is kept, so
 * the next sleep returns at once and nothing waits a whole interval for nothing.
 */
export class WakeSignal {
  private pending = false;
  private wake?: () => void;

  poke(): void {
    this.pending = true;
    this.wake?.();
  }

  /** Forgets an earlier poke: the loop is about to look for work anyway. */
  clear(): void {
    this.pending = false;
  }

  sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

/**
 * Opens a session that LISTENs on `channel` and pokes `signal` on every notification.
 * Returns undefined (and says why through `warn`) when it cannot: the caller still polls.
 */
export async function listenForNotifications(
  dataSource: DataSource,
  channel: string,
  applicationName: string,
  signal: WakeSignal,
  warn: (message: string) => void,
): Promise<Client | undefined> {
  const client = new Client(sessionConfig(dataSource, applicationName));
  client.on('notification', () => signal.poke());
  client.on('error', (error) => warn(`${applicationName} lost its LISTEN session (${error.message}); polling only`));
  try {
    await client.connect();
    await client.query(`LISTEN ${channel}`);
    return client;
  } catch (error) {
    warn(`${applicationName} could not LISTEN on ${channel} (${(error as Error).message}); polling only`);
    await client.end().catch(() => undefined);
    return undefined;
  }
}
