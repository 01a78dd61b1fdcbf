import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { InvalidInputError } from '@antq/platform';
import { NotificationsConfig } from '../config/notifications.config';
import { AddressPolicy } from '../delivery/address-policy';
import { SubscriptionsService } from './subscriptions.service';

describe('webhook registration', () => {
  afterEach(() => jest.restoreAllMocks());

  it('refuses a host that resolves to a denied address without saying the address, which goes to the log', async () => {
    const dataSource = { query: jest.fn(), transaction: jest.fn() };
    const policy = new AddressPolicy([], [], async () => [{ address: '10.4.2.7', family: 4 }]);
    const service = new SubscriptionsService(dataSource as unknown as DataSource, policy, new NotificationsConfig());
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

    const refused = (await service.addWebhook({ url: 'https://example.internal/hook?token=abc' }, { agency: 'ca-nghe-an', principal: 'quan-tri', roles: ['admin'] }).catch((error: unknown) => error)) as InvalidInputError;

    expect(refused).toBeInstanceOf(InvalidInputError);
    expect({ message: refused.message, details: refused.details }).toEqual({
      message: 'Webhook URL refused: the host example.internal resolves to an address the webhook policy does not allow',
      details: { problems: ['url: the host example.internal resolves to an address the webhook policy does not allow'] },
    });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/ca-nghe-an\/quan-tri refused: example\.internal: address 10\.4\.2\.7 is in a denied range/));
    // Neither the URL's query (it may carry a token) nor a stored row.
    expect(JSON.stringify(warn.mock.calls)).not.toContain('token=abc');
    expect(dataSource.query).not.toHaveBeenCalled();
  });
});
