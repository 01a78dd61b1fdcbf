import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const KAFKA_SCRIPT = resolve(__dirname, '../../../tools/kafka/kafka.sh');

/**
 * A broker of the test's own (its own port and data directory), for tests that stop and
 * start the broker without disturbing anything else on the machine.
 */
export class PrivateBroker {
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'antq-kafka-'));

  constructor(
    // PRIVATE_KAFKA_PORT lets two checkouts on one machine run this test side by side.
    readonly port = Number(process.env['PRIVATE_KAFKA_PORT'] ?? 19192),
    readonly controllerPort = port + 1,
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  up(): Promise<void> {
    return this.run('up');
  }

  down(): Promise<void> {
    return this.run('down');
  }

  async destroy(): Promise<void> {
    await this.down();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private run(command: 'up' | 'down'): Promise<void> {
    return new Promise((done, fail) => {
      const child = spawn(KAFKA_SCRIPT, [command], {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: {
          ...process.env,
          KAFKA_PORT: String(this.port),
          KAFKA_CONTROLLER_PORT: String(this.controllerPort),
          KAFKA_DATA_DIR: this.dataDir,
        },
      });
      child.on('error', fail);
      child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`kafka.sh ${command} exited with ${code}`))));
    });
  }
}
