import type { DynamicModule } from '@nestjs/common';
import { startService, type ServiceDocument } from './bootstrap';
import { migrateService, PendingMigrationsError } from './migrate';
import type { Environment, ServiceDefinition } from './platform.module';
import { ConfigError } from './service-config';

/**
 * The entry point of every service binary: `main.js` serves, `main.js migrate` creates the
 * database when missing and runs pending migrations, then exits.
 */
export function runService(
  definition: ServiceDefinition,
  createModule: (env: Environment) => DynamicModule,
  doc: ServiceDocument,
  env: Environment = process.env,
  argv: string[] = process.argv.slice(2),
): void {
  const command = argv[0] ?? 'serve';
  const work: Promise<unknown> =
    command === 'migrate'
      ? migrateService(definition, env).then((applied) =>
          process.stdout.write(
            JSON.stringify({ service: definition.service, msg: 'migrations applied', migrations: applied }) + '\n',
          ),
        )
      : command === 'serve'
        ? Promise.resolve().then(() => startService(createModule(env), doc))
        : Promise.reject(new ConfigError(`Unknown command "${command}"; use "serve" or "migrate"`));
  work.catch((error: unknown) => {
    // Errors an operator fixes without reading code: the message alone says what to do.
    process.stderr.write(
      error instanceof ConfigError || error instanceof PendingMigrationsError
        ? `${error.message}\n`
        : `${definition.service} failed to start: ${(error as Error).stack ?? String(error)}\n`,
    );
    process.exit(1);
  });
}
