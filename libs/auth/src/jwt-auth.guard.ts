import { Injectable, ServiceUnavailableException, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { Request } from 'express';
import { ClsService } from 'nestjs-cls';
import type { Actor } from '@antq/contracts';
import { IS_PUBLIC } from './public.decorator';
import { TokenClaims } from './token-claims';
import { KeySetUnavailableError } from './verification-keys';

export interface AuthenticatedRequest extends Request {
  actor?: Actor & { jurisdiction?: string[] };
}

/**
 * Every HTTP route needs a valid bearer token unless marked @Public(). The verified
 * agency and principal become the actor of the request: stored with each change and
 * carried in its events.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtService,
    private readonly reflector: Reflector,
    private readonly cls: ClsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) {
      throw new UnauthorizedException('A bearer token is required (Authorization: Bearer <jwt>)');
    }
    let payload: object;
    try {
      payload = await this.jwt.verifyAsync<object>(token);
    } catch (error) {
      if (error instanceof KeySetUnavailableError) throw new ServiceUnavailableException(error.message);
      throw new UnauthorizedException(`Invalid token: ${(error as Error).message}`);
    }
    // jsonwebtoken checks an expiry only where there is one: a token must have one.
    if (typeof (payload as { exp?: unknown }).exp !== 'number') throw new UnauthorizedException('Invalid token: it has no expiry (exp)');
    const claims = plainToInstance(TokenClaims, payload);
    const problems = validateSync(claims).flatMap((e) => Object.values(e.constraints ?? {}));
    if (problems.length) throw new UnauthorizedException(`Invalid token claims: ${problems.join('; ')}`);

    const actor = { agency: claims.agency, principal: claims.sub, roles: claims.roles, jurisdiction: claims.jurisdiction };
    request.actor = actor;
    this.cls.set('actor', actor);
    return true;
  }
}
