import { STATUS_CODES } from 'node:http';
import { Catch, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import { DomainError } from './errors';

/**
 * The one place where errors meet the edge. HTTP: domain errors become
 * `{ statusCode, error, message, details? }` with their status, anything else gets Nest's
 * default handling. Events: the original error goes back to the consumer unchanged, which
 * retries it or dead-letters it with its message attached.
 */
@Catch()
export class PlatformExceptionFilter extends BaseExceptionFilter {
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
    super.catch(exception, host);
  }
}
