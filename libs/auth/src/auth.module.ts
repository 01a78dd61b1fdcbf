import { Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { AgencyThrottlerGuard } from './agency-throttler.guard';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { JwtAuthGuard } from './jwt-auth.guard';
import { RolesGuard } from './roles.guard';
import { VerificationKeys } from './verification-keys';

export interface AuthModuleAsyncOptions {
  inject?: FactoryProvider['inject'];
  useFactory: (...args: never[]) => AuthOptions;
}

/** How far the issuer's clock may be from ours when a token's nbf and exp are checked. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** Verifies bearer tokens on every HTTP route, checks roles, and limits each agency's request rate (global guards). */
@Module({})
export class AuthModule {
  static forRootAsync(options: AuthModuleAsyncOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [
        JwtModule.registerAsync({
          inject: [AUTH_OPTIONS],
          useFactory: (auth: AuthOptions) => {
            const keys = new VerificationKeys(auth);
            return {
              secretOrKeyProvider: (_type, token) => keys.keyFor(token as string),
              // An identity provider's clock a few seconds off ours must not refuse a fresh token
              // (not yet valid) nor take a stale one much longer.
              verifyOptions: { algorithms: keys.algorithms, issuer: auth.issuer, audience: auth.audience, clockTolerance: CLOCK_TOLERANCE_SECONDS },
            };
          },
          extraProviders: [{ provide: AUTH_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }],
        }),
        ThrottlerModule.forRootAsync({
          inject: options.inject ?? [],
          useFactory: (...args: unknown[]) => {
            const { rateLimitPerMinute } = options.useFactory(...(args as never[]));
            return {
              // The default name gives the standard header names (Retry-After, X-RateLimit-Limit).
              throttlers: [{ name: 'default', ttl: 60_000, limit: rateLimitPerMinute || Number.MAX_SAFE_INTEGER }],
              skipIf: () => !rateLimitPerMinute,
            };
          },
        }),
      ],
      providers: [
        { provide: AUTH_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        // After the token guard: the limit is counted per verified agency.
        { provide: APP_GUARD, useClass: AgencyThrottlerGuard },
      ],
      exports: [AUTH_OPTIONS],
    };
  }
}
