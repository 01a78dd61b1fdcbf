export * from './auth.module';
export * from './auth.options';
export * from './current-actor.decorator';
export * from './jwt-auth.guard';
export * from './public.decorator';
export * from './roles';
export * from './token-claims';
export * from './token-issuer';
