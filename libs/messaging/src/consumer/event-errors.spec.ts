import { isTransientDatabaseError } from './event-errors';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('isTransientDatabaseError', () => {
  it.each([
    ['a deadlock', withCode('40P01')],
    ['a serialisation failure', withCode('40001')],
    ['a lock timeout', withCode('55P03')],
    ['a server shutting down', withCode('57P01', 'terminating connection due to administrator command')],
    ['a server starting up', withCode('57P03', 'the database system is starting up')],
    ['too many connections', withCode('53300')],
    ['a connection exception', withCode('08006')],
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', withCode('ECONNRESET')],
    ['a connection that ended under a query', new Error('Connection terminated unexpectedly')],
    ['a client whose connection broke', new Error('Client has encountered a connection error and is not queryable')],
    ['no pool connection free in time', new Error('timeout exceeded when trying to connect')],
    ['a deadlock wrapped by TypeORM', Object.assign(new Error('query failed'), { driverError: { code: '40P01' } })],
    ['a lost connection wrapped by TypeORM', Object.assign(new Error('query failed'), { driverError: new Error('Connection terminated unexpectedly') })],
  ])('takes %s for transient', (_, error) => {
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505', 'duplicate key value violates unique constraint')],
    ['a check violation', withCode('23514')],
    ['a syntax error', withCode('42601')],
    ['a handler bug', new TypeError("Cannot read properties of undefined (reading 'unitId')")],
    ['a message that merely mentions a connection', new Error('Rule refers to "Connection terminated" in its template')],
    ['nothing', null],
    ['a string', 'Connection terminated unexpectedly'],
  ])('takes %s for the message or the code at fault', (_, error) => {
    expect(isTransientDatabaseError(error)).toBe(false);
  });
});
