import { Type } from 'class-transformer';
import { ValidateBy, ValidateNested } from 'class-validator';

/**
 * One object of `type`, its fields checked, anything else refused with `message`. ValidateNested
 * alone takes an array for a list of such objects (`[]` passes, and is saved as no object at all)
 * and answers other values with a message of its own.
 */
export function NestedObject(type: () => new () => object, message: string): PropertyDecorator {
  return (target, property) => {
    ValidateBy({ name: 'isNotArray', validator: { validate: (value: unknown) => !Array.isArray(value) } }, { message })(target, property);
    ValidateNested({ message })(target, property);
    Type(type)(target, property);
  };
}
