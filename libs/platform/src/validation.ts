import { ValidationPipe } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { Matches, ValidateBy, type ValidationError, type ValidationOptions } from 'class-validator';

/**
 * A whole number from `min` to `max` given in a query or path as decimal digits
 * (`?limit=50`), checked with one message that says what is wanted. Any other text (`0x10`,
 * `1e2`, an empty value) is refused, not read by JavaScript's Number as something the caller
 * did not write.
 */
export function QueryInteger(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return (target, property) => {
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^[+-]?\d{1,16}$/.test(value) ? Number(value) : value))(target, property);
    ValidateBy(
      {
        name: 'queryInteger',
        constraints: [min, max],
        validator: {
          validate: (value: unknown) => Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max,
          defaultMessage: (args) => `${args?.property} must be a whole number from ${min} to ${max}`,
        },
      },
      options,
    )(target, property);
  };
}

/**
 * Text that shows something: a name, a reason, a decision number. White space, control
 * characters and invisible format characters (zero-width space, word joiner, BOM) alone are blank.
 */
export function NotBlank(options?: ValidationOptions): PropertyDecorator {
  return Matches(/[^\s\p{Cc}\p{Cf}]/u, { message: '$property must not be blank', ...options });
}

/**
 * A field left out breaks every rule it has (a string, not blank, at most 100 characters):
 * it is told once that it is required, in the words of a rule that says so where one does,
 * with its choices where it has them.
 */
export function requiredOnce(error: ValidationError): ValidationError {
  const children = error.children?.map(requiredOnce);
  if (error.value !== undefined || !error.constraints || !('value' in error)) return Object.assign(error, { children });
  const messages = Object.entries(error.constraints);
  const choices = error.constraints['isIn']?.replace(/^\S+ must be /, `${error.property} is required: `);
  const [key, message] = messages.find(([, text]) => /\bis required\b/.test(text)) ??
    messages.find(([rule]) => rule === 'isDefined') ?? ['isDefined', choices ?? `${error.property} is required`];
  return Object.assign(error, { constraints: { [key]: message }, children });
}

/** The services' validation: unknown fields refused, values transformed, every problem listed once. */
export class PlatformValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false });
  }

  protected override flattenValidationErrors(errors: ValidationError[]): string[] {
    return super.flattenValidationErrors(errors.map(requiredOnce));
  }
}
