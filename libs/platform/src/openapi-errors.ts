import type { OpenAPIObject, OperationObject, ResponsesObject } from '@nestjs/swagger';

const ERROR_SCHEMA = 'Error';
const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ERROR_SCHEMA}` } } } });

/** What a route with input may answer. */
const INVALID: ResponsesObject = {
  '400': error('The request is invalid: `message` says what is wrong (a list, one line per field problem)'),
};

/** What any route may answer. */
const ANY_ROUTE: ResponsesObject = {
  '503': error('The database is unreachable or busy: nothing was changed; retry after `Retry-After` seconds'),
};

/** What a route behind the bearer scheme may answer. */
const SECURED: ResponsesObject = {
  '401': error('No bearer token, or one that is expired, badly signed or names no agency'),
  '403': error("The token's roles or jurisdiction do not allow this"),
  '429': error("The agency's request budget for this minute is spent; retry after `Retry-After` seconds"),
};

/** What a command may answer besides. */
const COMMAND: ResponsesObject = {
  '409': error('The change conflicts with the current state (an illegal transition, a change in progress)'),
  '413': error('The body is over 100 kB, or the change would emit an event larger than an event may be'),
  '415': error('The body is not JSON sent with Content-Type: application/json'),
  '422': error('The change breaks a rule of the domain (a kind placed where it may not sit, a cycle, a date out of order)'),
};

/**
 * Documents the error answers every route shares (PlatformExceptionFilter's
 * `{ statusCode, error, message, details? }`), so that a client generated from the document
 * knows them; a route's own documented answers stay as they are.
 */
export function describeErrorResponses(document: OpenAPIObject): OpenAPIObject {
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      [ERROR_SCHEMA]: {
        type: 'object',
        required: ['statusCode', 'error', 'message'],
        properties: {
          statusCode: { type: 'integer', example: 400 },
          error: { type: 'string', example: 'Bad Request' },
          message: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], example: ['name must not be blank'] },
          details: { type: 'object', additionalProperties: true, description: 'Structured detail where the error has some (the problems of a programme definition, say)' },
        },
      },
    },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation: OperationObject | undefined = item[method];
      if (!operation) continue;
      const secured = Boolean(operation.security?.length);
      const command = method !== 'get';
      const shared: ResponsesObject = {
        ...(command || operation.parameters?.length ? INVALID : {}),
        ...ANY_ROUTE,
        ...(secured ? SECURED : {}),
        ...(path.includes('{') ? { '404': error('What the path names does not exist, or is not known to this service') } : {}),
        ...(command ? COMMAND : {}),
      };
      operation.responses = { ...shared, ...operation.responses };
    }
  }
  return document;
}
