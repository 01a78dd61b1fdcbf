import { createSecretKey } from 'node:crypto';
import { Module, type DynamicModule, type FactoryProvider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options';
import { JwtAuthGuard } from './jwt-auth.guard';
import { RolesGuard } from './roles.guard';

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
            // A key object made once: given a string, jsonwebtoken tries (and fails) to parse a public key on every verification.
            const key = createSecretKey(Buffer.from(auth.secret));
            return {
              secretOrKeyProvider: () => key,
              signOptions: { algorithm: 'HS256', issuer: auth.issuer, audience: auth.audience },
              verifyOptions: { algorithms: ['HS256'], issuer: auth.issuer, audience: auth.audience },
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
