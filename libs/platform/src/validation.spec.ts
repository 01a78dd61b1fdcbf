import { BadRequestException } from '@nestjs/common';
import { plainToInstance, Type } from 'class-transformer';
import { IsDefined, IsIn, IsOptional, IsString, MaxLength, ValidateNested, validateSync } from 'class-validator';
import { PageQuery } from './page.query';
import { NotBlank, PlatformValidationPipe } from './validation';

const problems = (query: object) => validateSync(plainToInstance(PageQuery, query)).flatMap((e) => Object.values(e.constraints ?? {}));

describe('QueryInteger', () => {
  it('reads decimal digits as a whole number', () => {
    expect(plainToInstance(PageQuery, { offset: '20', limit: '50' })).toMatchObject({ offset: 20, limit: 50 });
    expect(problems({ offset: '0', limit: '1000' })).toEqual([]);
  });

  it('refuses what Number() would read otherwise: hexadecimal, exponents, empty values, fractions', () => {
    for (const limit of ['0x10', '1e2', '', ' 5', '2.5', 'ten', '0', '1001']) expect(problems({ limit })).toEqual(['limit must be a whole number from 1 to 1000']);
    expect(problems({ offset: '' })).toEqual(['offset must be a whole number from 0 to 1000000000']);
  });
});

describe('NotBlank', () => {
  class Named {
    @NotBlank()
    name!: string;
  }

  it('refuses text of white space alone, and takes any other', () => {
    const check = (name: string) => validateSync(plainToInstance(Named, { name })).flatMap((e) => Object.values(e.constraints ?? {}));
    expect(check('   ')).toEqual(['name must not be blank']);
    expect(check('\t\n')).toEqual(['name must not be blank']);
    for (const invisible of ['\u200b', '\u2060 ', '\ufeff', '\u0007', '\u00a0\u3000']) expect(check(invisible)).toEqual(['name must not be blank']);
    expect(check(' Xã Nghi Thạch ')).toEqual([]);
  });
});

describe('PlatformValidationPipe', () => {
  class Decision {
    @IsString()
    @NotBlank()
    @MaxLength(100)
    decisionNumber!: string;

    @IsDefined({ message: 'decisionDate is required (YYYY-MM-DD)' })
    @IsString()
    decisionDate!: string;

    @IsOptional()
    @IsString()
    comment?: string;

    @IsIn(['yes', 'no'], { message: 'verdict must be one of: yes, no' })
    verdict!: string;
  }

  class Step {
    @ValidateNested()
    @Type(() => Decision)
    decision!: Decision;
  }

  const problems = (value: object, metatype: new () => object = Decision) =>
    new PlatformValidationPipe().transform(value, { type: 'body', metatype }).then(
      () => [],
      (error: BadRequestException) => (error.getResponse() as { message: string[] }).message,
    );

  it('tells a field left out once that it is required, in the words of a rule that says so', async () => {
    expect(await problems({})).toEqual(['decisionNumber is required', 'decisionDate is required (YYYY-MM-DD)', 'verdict is required: one of: yes, no']);
    expect(await problems({ decision: { verdict: 'no' } }, Step)).toEqual(['decision.decisionNumber is required', 'decision.decisionDate is required (YYYY-MM-DD)']);
  });

  it('lists every problem of a field that is given, and unknown fields', async () => {
    expect(await problems({ decisionNumber: ' ', decisionDate: 5, verdict: 'yes', extra: 1 })).toEqual([
      'property extra should not exist',
      'decisionNumber must not be blank',
      'decisionDate must be a string',
    ]);
  });
});
