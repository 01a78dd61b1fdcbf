import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { AuthenticatedRequest } from './jwt-auth.guard';

/**
 * Requests per agency and minute, across every route of the instance: one agency's runaway
 * integration cannot starve the others. Runs after the token is verified, so the agency is
 * known; routes without a token (health, metrics, docs) are not counted. Over the limit, a
 * 429 with `Retry-After`.
 */
@Injectable()
export class AgencyThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http' || !context.switchToHttp().getRequest<AuthenticatedRequest>().actor;
  }

  protected override async getTracker(request: AuthenticatedRequest): Promise<string> {
    return request.actor?.agency ?? '';
  }

  protected override generateKey(_context: ExecutionContext, agency: string, name: string): string {
    return `${name}:${agency}`;
  }

  protected override async getErrorMessage(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<string> {
    return `Agency ${detail.tracker} made more than ${detail.limit} requests in a minute: retry in ${detail.timeToBlockExpire} s`;
  }
}
