import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { InvalidInputError } from './errors';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The request's `Idempotency-Key` header (draft-ietf-httpapi-idempotency-key-header), if it
 * has one: a client that repeats a command with the key it first sent (after a timeout, say)
 * gets what the first one did instead of doing it twice. 1 to 255 visible ASCII characters,
 * a UUID for instance; otherwise a 400.
 */
export function readIdempotencyKey(request: Pick<IncomingMessage, 'headers'>): string | undefined {
  const value = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new InvalidInputError('Idempotency-Key must be given once');
  if (!KEY.test(value)) throw new InvalidInputError(`Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID, for instance), not "${value.slice(0, 100)}"`);
  return value;
}

/** The request's Idempotency-Key, checked, or undefined. */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext) => readIdempotencyKey(context.switchToHttp().getRequest<IncomingMessage>()));

/** Documents the header on a command that honours it. */
export const AcceptsIdempotencyKey = (what: string) =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: `Repeating the command with the same key (1-255 visible ASCII characters, a UUID for instance) returns ${what} instead of recording it again; the same key with a different body is refused (422).`,
  });
