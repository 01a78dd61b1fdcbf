import { IsInt, IsString, Min, ValidateNested, getMetadataStorage, registerDecorator, validateSync } from 'class-validator';
import { Type, plainToInstance } from 'class-transformer';
import { cacheValidationMetadata } from './validation-metadata';

class Base {
  @IsString()
  name!: string;
}

class Child extends Base {
  @IsInt()
  @Min(1)
  count!: number;
}

class Holder {
  @ValidateNested()
  @Type(() => Child)
  child!: Child;
}

const messages = (plain: object) =>
  validateSync(plainToInstance(Holder, plain)).flatMap((e) => (e.children ?? []).flatMap((c) => Object.values(c.constraints ?? {})));

describe('cacheValidationMetadata', () => {
  beforeAll(() => cacheValidationMetadata());

  it('answers as class-validator does, inherited rules included, however often it is asked', () => {
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Child, '', false, false);
    expect(first.map((m) => `${m.propertyName}:${m.name}`).sort()).toEqual(['count:isInt', 'count:min', 'name:isString']);
    expect(storage.getTargetValidationMetadatas(Child, '', false, false)).toBe(first);
    for (let i = 0; i < 3; i++) {
      expect(messages({ child: { name: 7, count: 0 } })).toEqual(['count must not be less than 1', 'name must be a string']);
      expect(messages({ child: { name: 'x', count: 2 } })).toEqual([]);
    }
  });

  it('keeps answers apart by groups', () => {
    const storage = getMetadataStorage();
    expect(storage.getTargetValidationMetadatas(Child, '', false, false, ['a'])).not.toBe(
      storage.getTargetValidationMetadatas(Child, '', false, false),
    );
  });

  it('forgets its answers when a rule is registered after them', () => {
    expect(messages({ child: { name: 'forbidden', count: 2 } })).toEqual([]);
    registerDecorator({
      name: 'isNotForbidden',
      target: Base,
      propertyName: 'name',
      validator: { validate: (value: unknown) => value !== 'forbidden', defaultMessage: () => 'name is forbidden' },
    });
    expect(messages({ child: { name: 'forbidden', count: 2 } })).toEqual(['name is forbidden']);
  });

  it('is installed once however often it is called', () => {
    const lookUp = getMetadataStorage().getTargetValidationMetadatas;
    cacheValidationMetadata();
    expect(getMetadataStorage().getTargetValidationMetadatas).toBe(lookUp);
  });
});
