import type { EntityManager } from 'typeorm';
import type { CloudEvent } from '@antq/contracts';
import type { MessagingOptions } from '../messaging.options';
import { MAX_SEND_BYTES as MAX_EVENT_BYTES } from '../kafka/producer';
import { EventTooLargeError, OUTBOX_CHANNEL, OutboxService } from './outbox.service';

function recordingManager() {
  const calls: { sql: string; params: unknown[] }[] = [];
  const manager = { queryRunner: { isTransactionActive: true }, query: async (sql: string, params: unknown[]) => void calls.push({ sql, params }) };
  return { manager: manager as unknown as EntityManager, calls };
}

const event = { id: '7a1f6a7e-9d1c-4a57-9a3e-3c1d2f9e0b11', type: 'antq.units.unit-created.v1', subject: 'u-1' } as CloudEvent;
const outbox = new OutboxService({ topicPrefix: 'p.' } as MessagingOptions);

describe('OutboxService.append', () => {
  it('makes co-writes CTEs of the outbox insert, each with its placeholders renumbered after the previous ones', async () => {
    const { manager, calls } = recordingManager();
    await outbox.append(manager, [event], [
      { sql: 'UPDATE a SET x = $2 WHERE id = $1', params: ['a-id', 'x'] },
      { sql: 'INSERT INTO b (y, z) VALUES ($1, $1 || $2)', params: ['y', 'z'] },
    ]);
    expect(calls).toHaveLength(1);
    const [{ sql, params }] = calls;
    expect(sql).toContain('write_0 AS (UPDATE a SET x = $2 WHERE id = $1)');
    expect(sql).toContain('write_1 AS (INSERT INTO b (y, z) VALUES ($3, $3 || $4))');
    expect(sql).toContain('unnest($5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[])');
    expect(sql).toContain('pg_notify($10');
    expect(params.slice(0, 4)).toEqual(['a-id', 'x', 'y', 'z']);
    expect(params.slice(4, 8)).toEqual([[event.id], ['p.antq.units-registry.events'], ['u-1'], [event.type]]);
    expect(params[9]).toBe(OUTBOX_CHANNEL);
  });

  it('refuses to write outside a transaction, and does nothing when there is nothing to write', async () => {
    const { manager, calls } = recordingManager();
    await outbox.append(manager, []);
    expect(calls).toEqual([]);
    const outside = { ...manager, queryRunner: undefined } as unknown as EntityManager;
    await expect(outbox.append(outside, [event])).rejects.toThrow(/inside a transaction/);
  });

  it('refuses an event too large to publish, counting its bytes as UTF-8, and writes none of the change', async () => {
    const { manager, calls } = recordingManager();
    // Each "ệ" is 3 bytes: fewer characters than the limit, more bytes.
    const withName = (characters: number) => ({ ...event, data: { name: 'ệ'.repeat(characters) } }) as CloudEvent;
    const tooLarge = withName(Math.ceil(MAX_EVENT_BYTES / 3));
    const refused = outbox.append(manager, [event, tooLarge], [{ sql: 'UPDATE a SET x = 1', params: [] }]);
    await expect(refused).rejects.toThrow(EventTooLargeError);
    await expect(refused).rejects.toThrow(/would emit an event \(antq\.units\.unit-created\.v1\) of \d+ bytes, more than the 786432 an event may take: nothing was changed/);
    expect(calls).toEqual([]);
    // Just under the limit, it goes.
    await outbox.append(manager, [withName(Math.floor((MAX_EVENT_BYTES - Buffer.byteLength(JSON.stringify(withName(0)))) / 3))]);
    expect(calls).toHaveLength(1);
  });
});
