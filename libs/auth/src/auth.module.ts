import { Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { JwtAuthGuard } from './jwt-auth.guard';
import { RolesGuard } from './roles.guard';
import { VerificationKeys } from './verification-keys';

export interface AuthModuleAsyncOptions {
  inject?: FactoryProvider['inject'];
  useFactory: (...args: never[]) => AuthOptions;
}

/** Verifies bearer tokens on every HTTP route (a global guard). */
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
              verifyOptions: { algorithms: keys.algorithms, issuer: auth.issuer, audience: auth.audience },
            };
          },
          extraProviders: [{ provide: AUTH_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }],
        }),
      ],
      providers: [
        { provide: AUTH_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
      ],
      exports: [AUTH_OPTIONS],
    };
  }
}
