import type { IncomingMessage } from 'node:http';
import { applyDecorators, Injectable, SetMetadata, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { InvalidInputError } from './errors';

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

/** Whether the request says its body is JSON: the one kind of body the services read. */
export function isJsonRequest(request: IncomingMessage): boolean {
  return JSON_CONTENT_TYPE.test(request.headers['content-type'] ?? '');
}

/**
 * The check on a body that is not JSON (no content type, `text/plain`, a form): unread, it
 * would leave the command to run on its defaults, a unit closed today instead of on the date
 * the body gave. Thrown as the body parsers throw, to be answered as they are.
 */
export function refuseNonJsonBody(request: IncomingMessage, _response: unknown, body: Buffer): void {
  // A command without a body (`POST /feed/read-all`) may say Content-Length: 0 and no type.
  if (!body.length) return;
  const type = request.headers['content-type'];
  throw Object.assign(new Error(`The request body must be JSON, sent with Content-Type: application/json${type ? `, not ${type}` : ' (none was given)'}`), {
    status: 415,
    expose: true,
    type: 'entity.unsupported.type',
  });
}

/**
 * The check on a JSON body before it is parsed: every command is an object, and `null`,
 * `123`, `"text"` or a list is JSON, only not a command (the parser would call the first
 * three invalid JSON, validation a list "an unknown value").
 */
export function refuseNonObjectJson(body: Buffer): void {
  // Every command's body starts with "{" past any white space: read no further for those.
  const first = body.findIndex((byte) => byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d);
  if (first < 0 || body[first] === 0x7b) return;
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return; // Not JSON at all: the parser says where.
  }
  const what = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'string' ? 'a string' : `a ${typeof value}`;
  throw Object.assign(new Error(`The request body must be a JSON object, not ${what}`), { status: 400, expose: true, type: 'entity.not.object' });
}

/**
 * JSON.parse keeps `__proto__` and `constructor` as plain keys, which validation then never
 * sees (the class instance does not take them): refused, as any other unknown field is.
 */
export function refuseProtoKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
    throw Object.assign(new Error(`property ${key} should not exist`), { status: 400, expose: true, type: 'entity.forbidden.key' });
  }
  return value;
}

const NO_BODY_HINT = 'antq:no-body-hint';

/**
 * Refuses a body sent to a command that reads none, rather than running the command without
 * it: a filter sent as a body to `POST /feed/read-all` would otherwise mark the whole feed read.
 */
@Injectable()
class RefuseBodyInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const body: unknown = context.switchToHttp().getRequest<{ body?: unknown }>().body;
    const fields = body && typeof body === 'object' ? Object.keys(body) : [];
    if (fields.length) {
      const hint = this.reflector.get<string | undefined>(NO_BODY_HINT, context.getHandler());
      throw new InvalidInputError(`This command takes no body (it was sent ${fields.slice(0, 5).join(', ')})${hint ? `: ${hint}` : ''}`);
    }
    return next.handle();
  }
}

/** Marks a command that reads no body: one sent anyway gets 400, with `hint` saying where its input goes. */
export const TakesNoBody = (hint?: string) => applyDecorators(SetMetadata(NO_BODY_HINT, hint), UseInterceptors(RefuseBodyInterceptor));
