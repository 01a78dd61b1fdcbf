import { Logger, type ArgumentsHost } from '@nestjs/common';
import { EventTooLargeError } from '@antq/messaging';
import { RuleViolationError } from './errors';
import { PlatformExceptionFilter } from './platform-exception.filter';

function httpHost() {
  const sent: { status?: number; headers: Record<string, string>; body?: unknown } = { headers: {} };
  const response = {
    status(code: number) {
      sent.status = code;
      return response;
    },
    setHeader(name: string, value: string) {
      sent.headers[name] = value;
      return response;
    },
    json(body: unknown) {
      sent.body = body;
      return response;
    },
  };
  const host = { getType: () => 'http', switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  return { host, sent };
}

describe('PlatformExceptionFilter', () => {
  const filter = new PlatformExceptionFilter();

  it('answers a domain error with its status and message', () => {
    const { host, sent } = httpHost();
    filter.catch(new RuleViolationError('Unit X is unknown'), host);
    expect(sent).toMatchObject({ status: 422, body: { statusCode: 422, error: 'Unprocessable Entity', message: 'Unit X is unknown' } });
  });

  it.each([
    ['no pool connection free in time', new Error('timeout exceeded when trying to connect')],
    ['a deadlock', Object.assign(new Error('deadlock detected'), { code: '40P01' })],
    ['a deadlock wrapped by TypeORM', Object.assign(new Error('query failed'), { driverError: { code: '40P01' } })],
  ])('answers %s with a 503 the client may retry', (_, error) => {
    const { host, sent } = httpHost();
    filter.catch(error, host);
    expect(sent).toMatchObject({ status: 503, headers: { 'retry-after': '1' }, body: { statusCode: 503, message: expect.stringMatching(/nothing was changed: retry shortly/) } });
  });

  it('answers a change whose event would be too large to publish with a 413 saying so', () => {
    const { host, sent } = httpHost();
    filter.catch(new EventTooLargeError('The change would emit a big event: nothing was changed'), host);
    expect(sent).toMatchObject({ status: 413, body: { statusCode: 413, error: 'Payload Too Large', message: 'The change would emit a big event: nothing was changed' } });
  });

  it.each([
    ['too large', Object.assign(new Error('request entity too large'), { status: 413, statusCode: 413, expose: true, type: 'entity.too.large' })],
    ['malformed', Object.assign(new SyntaxError('Unexpected end of JSON input'), { status: 400, statusCode: 400, expose: true, type: 'entity.parse.failed' })],
  ])('answers a body the parser refused as %s with its 4xx and message, as a warning', (_, error) => {
    const { host, sent } = httpHost();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    filter.catch(error, host);
    expect(sent).toMatchObject({ status: error.status, body: { statusCode: error.status, message: error.message } });
    expect(warn).toHaveBeenCalledWith(`Request body refused (${error.status}): ${error.message}`);
    expect(logged).not.toHaveBeenCalled();
    warn.mockRestore();
    logged.mockRestore();
  });

  it.each([
    ['text', '22021'],
    ['JSON', '22P05'],
  ])('answers a NUL character the database refuses in %s with a 400', (_, code) => {
    const { host, sent } = httpHost();
    filter.catch(Object.assign(new Error('query failed'), { driverError: { code } }), host);
    expect(sent).toMatchObject({ status: 400, body: { statusCode: 400, message: 'Text may not contain the NUL character (\\u0000): nothing was changed' } });
  });
});
