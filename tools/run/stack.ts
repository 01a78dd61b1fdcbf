import { log, stackDown, stackUp } from './local-stack';

/** `stack up` / `stack down`: the local Kafka broker, databases, migrations and topics. */
async function main(): Promise<void> {
  const command = process.argv[2];
  if (command === 'up') await stackUp();
  else if (command === 'down') await stackDown();
  else throw new Error('usage: stack up|down');
  log(command === 'up' ? 'stack is up' : 'stack is down');
}

main().catch((error: unknown) => {
  process.stderr.write(`[stack] ${(error as Error).message}\n`);
  process.exit(1);
});
