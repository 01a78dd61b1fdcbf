import type { Admin, Kafka } from 'kafkajs';
import { BrokerAdmin } from './broker-admin';

/** Admin clients that record their connection's life. */
function fakeKafka() {
  const admins: { connect: jest.Mock; disconnect: jest.Mock }[] = [];
  const kafka = {
    admin: () => {
      const admin = { connect: jest.fn(async () => undefined), disconnect: jest.fn(async () => undefined) };
      admins.push(admin);
      return admin as unknown as Admin;
    },
  } as unknown as Kafka;
  return { kafka, admins };
}

const after = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('BrokerAdmin', () => {
  it('keeps one connection for every use', async () => {
    const { kafka, admins } = fakeKafka();
    const broker = new BrokerAdmin(kafka);
    await broker.use(async () => 'metadata', 1_000);
    await broker.use(async () => 'offsets', 1_000);
    expect(admins).toHaveLength(1);
    expect(admins[0].disconnect).not.toHaveBeenCalled();
    await broker.onApplicationShutdown();
    expect(admins[0].disconnect).toHaveBeenCalledTimes(1);
  });

  it('lets a call on a connection that failed meanwhile finish, then closes it, and connects afresh', async () => {
    const { kafka, admins } = fakeKafka();
    const broker = new BrokerAdmin(kafka);
    const probe = broker.use(async () => {
      await after(50);
      return 'ready';
    }, 1_000);
    await expect(broker.use(() => after(1_000), 10)).rejects.toThrow();
    expect(admins[0].disconnect).not.toHaveBeenCalled();
    await expect(probe).resolves.toBe('ready');
    expect(admins[0].disconnect).toHaveBeenCalledTimes(1);
    await broker.use(async () => 'again', 1_000);
    expect(admins).toHaveLength(2);
  });
});
