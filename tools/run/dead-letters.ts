import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { deadLetterTopic, prefixedTopic, SERVICES, type ServiceName } from '@antq/contracts';
import { readDeadLetters, redriveDeadLetters, type DeadLetter } from '@antq/messaging';
import { ConfigError, kafkaFromEnv } from '@antq/platform';

const USAGE = `Usage:
  npm run dead-letters -- list <service> [--json]
  npm run dead-letters -- redrive <service> (--offset [P:]N[,...] | --event-id ID[,ID...] | --all)

<service>  ${SERVICES.join(', ')}
list       every event the service's consumer parked on its dead-letter topic, with the error
redrive    puts the chosen ones back on their source topics once the cause is fixed; services
           that had applied an event drop it again by its id, so redriving twice changes nothing;
           an offset names its partition (P:N) when the dead-letter topic has more than one
Reads KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, KAFKA_SSL and KAFKA_SASL_* as the services do.`;

function row(letter: DeadLetter): string {
  const source = `${letter.sourceTopic}[${letter.sourcePartition ?? '?'}]@${letter.sourceOffset ?? '?'}`;
  const event = letter.eventType ? `${letter.eventType} ${letter.eventId ?? ''}` : '(not an event)';
  const again = letter.redrivenFrom ? `  (redriven from ${letter.redrivenFrom})` : '';
  return `${letter.offset.padStart(6)}  ${letter.failedAt ?? '-'}  ${source}\n        ${event}  key ${letter.key ?? '-'}  attempts ${letter.attempts}${again}\n        ${letter.errorType}: ${letter.error}`;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      offset: { type: 'string' },
      'event-id': { type: 'string' },
      all: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const [command, service] = positionals;
  if (values.help || !['list', 'redrive'].includes(command ?? '') || !SERVICES.includes(service as ServiceName)) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const { kafka, settings } = kafkaFromEnv('dead-letters', process.env, 'antq-dead-letters');
  const topic = prefixedTopic(settings.KAFKA_TOPIC_PREFIX, deadLetterTopic(service as ServiceName).name);
  const letters = await readDeadLetters(kafka, topic);

  if (command === 'list') {
    if (values.json) {
      process.stdout.write(`${JSON.stringify(letters.map(({ value, headers: _headers, ...rest }) => ({ ...rest, value: value?.toString() ?? null })))}\n`);
    } else {
      process.stdout.write([`${topic}: ${letters.length} dead letter(s)`, ...letters.map(row)].join('\n') + '\n');
    }
    return 0;
  }

  const offsets = values.offset?.split(',').map((o) => o.trim());
  const eventIds = values['event-id']?.split(',').map((id) => id.trim());
  if ([offsets, eventIds, values.all || undefined].filter(Boolean).length !== 1) {
    process.stderr.write('redrive: say which dead letters, with exactly one of --offset, --event-id or --all\n');
    return 2;
  }
  const byOffset = (offset: string) => letters.filter((l) => offset === l.offset || offset === `${l.partition}:${l.offset}`);
  const ambiguous = (offsets ?? []).filter((o) => byOffset(o).length > 1);
  if (ambiguous.length) {
    process.stderr.write(`redrive: ${ambiguous.join(', ')} name dead letters on several partitions of ${topic}; write them as partition:offset\n`);
    return 2;
  }
  const chosen = letters.filter((l) => values.all || offsets?.some((o) => byOffset(o).includes(l)) || (l.eventId !== null && eventIds?.includes(l.eventId)));
  const missing = [...(offsets ?? []).filter((o) => !byOffset(o).length), ...(eventIds ?? []).filter((id) => !letters.some((l) => l.eventId === id))];
  if (missing.length) {
    process.stderr.write(`redrive: not on ${topic}: ${missing.join(', ')}; nothing was redriven\n`);
    return 1;
  }
  const count = await redriveDeadLetters(kafka, topic, chosen);
  process.stdout.write([`redrove ${count} dead letter(s) from ${topic}`, ...chosen.map(row)].join('\n') + '\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`dead-letters: ${error instanceof ConfigError ? error.message : (error as Error).stack}\n`);
    process.exit(1);
  },
);
