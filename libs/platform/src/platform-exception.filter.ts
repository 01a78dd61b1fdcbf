import { STATUS_CODES } from 'node:http';
import { Catch, Logger, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import { EventTooLargeError, isTransientDatabaseError } from '@antq/messaging';
import { DomainError } from './errors';

const NUL_CHARACTER_MESSAGE = 'Text may not contain the NUL character (\\u0000): nothing was changed';

/**
 * PostgreSQL refuses the NUL character in text (22021) and in JSON (22P05): the only
 * character a JavaScript string can hold that it cannot store, so the caller's input.
 */
function isNulCharacterError(error: unknown): boolean {
  const code = (error as { driverError?: { code?: unknown }; code?: unknown } | null)?.driverError?.code ?? (error as { code?: unknown } | null)?.code;
  return code === '22021' || code === '22P05';
}

/**
 * A body the JSON parser refused (too large, malformed, nested too deep, an unsupported
 * charset): the caller's trouble, told to the caller, not the service's to log with a stack.
 */
function refusedBody(error: unknown): { status: number; message: string } | undefined {
  const e = error as { status?: unknown; type?: unknown; expose?: unknown; message?: unknown } | null;
  const refused = typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && typeof e.type === 'string' && e.expose === true && typeof e.message === 'string';
  return refused ? { status: e.status as number, message: e.message as string } : undefined;
}

/**
 * The one place where errors meet the edge. HTTP: domain errors become
 * `{ statusCode, error, message, details? }` with their status; the database's transient
 * trouble (no connection free in time, a deadlock) is a 503 the client may retry, the
 * transaction having rolled back; a change whose event would be too large to publish is a
 * 413, text holding a NUL character a 400, a body the parser refused its own 4xx; anything else gets Nest's default handling. Events: the original error goes back to the consumer unchanged, which
 * retries it or dead-letters it with its message attached.
 */
@Catch()
export class PlatformExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger(PlatformExceptionFilter.name);

  override catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() === 'rpc') return throwError(() => exception);
    if (exception instanceof DomainError && host.getType() === 'http') {
      const response = host.switchToHttp().getResponse<Response>();
      response.status(exception.status).json({
        statusCode: exception.status,
        error: STATUS_CODES[exception.status],
        message: exception.message,
        ...(exception.details ? { details: exception.details } : {}),
      });
      return;
    }
    if (isNulCharacterError(exception) && host.getType() === 'http') {
      host.switchToHttp().getResponse<Response>().status(400).json({ statusCode: 400, error: STATUS_CODES[400], message: NUL_CHARACTER_MESSAGE });
      return;
    }
    if (exception instanceof EventTooLargeError && host.getType() === 'http') {
      host.switchToHttp().getResponse<Response>().status(413).json({ statusCode: 413, error: STATUS_CODES[413], message: exception.message });
      return;
    }
    const refused = host.getType() === 'http' ? refusedBody(exception) : undefined;
    if (refused) {
      this.logger.warn(`Request body refused (${refused.status}): ${refused.message}`);
      host.switchToHttp().getResponse<Response>().status(refused.status).json({ statusCode: refused.status, error: STATUS_CODES[refused.status], message: refused.message });
      return;
    }
    if (isTransientDatabaseError(exception) && host.getType() === 'http') {
      this.logger.warn(`Busy: ${exception instanceof Error ? exception.message : String(exception)}`);
      host
        .switchToHttp()
        .getResponse<Response>()
        .status(503)
        .setHeader('retry-after', '1')
        .json({ statusCode: 503, error: STATUS_CODES[503], message: 'The service is busy or its database unreachable; nothing was changed: retry shortly' });
      return;
    }
    super.catch(exception, host);
  }
}
