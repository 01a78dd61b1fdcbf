import { randomUUID } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CreateUnitRequest, MergeUnitsRequest, SplitUnitRequest, UpdateUnitRequest } from './unit.requests';

const SOURCE = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const tags = (n: number) => Array.from({ length: n }, (_, i) => `tag-${i}`);

function problems<T extends object>(type: new () => T, body: object): string[] {
  const flatten = (errors: ReturnType<typeof validateSync>): string[] =>
    errors.flatMap((e) => [...Object.values(e.constraints ?? {}), ...flatten(e.children ?? [])]);
  return flatten(validateSync(plainToInstance(type, body)));
}

describe('unit requests: at most 50 tags wherever a unit gets tags (as the events allow)', () => {
  const cases: [string, new () => object, (t: string[]) => object][] = [
    ['a new unit', CreateUnitRequest, (t) => ({ code: 'X', name: 'Xã', kind: 'commune', tags: t })],
    ['an update', UpdateUnitRequest, (t) => ({ tags: t })],
    ['a new merge target', MergeUnitsRequest, (t) => ({ sourceIds: [SOURCE], target: { code: 'X', name: 'Xã', tags: t } })],
    ['a new split successor', SplitUnitRequest, (t) => ({ successors: [{ code: 'X', name: 'Xã', tags: t }, { code: 'Y', name: 'Xã Y' }] })],
  ];
  it.each(cases)('%s', (_, type, body) => {
    expect(problems(type, body(tags(50)))).toEqual([]);
    expect(problems(type, body(tags(51)))).toEqual(['tags must contain no more than 50 elements']);
  });
});

describe('split request: the children each successor takes', () => {
  const split = (childIds: unknown) => ({ successors: [{ code: 'X', name: 'Xã', childIds }, { code: 'Y', name: 'Xã Y' }] });
  const ids = (n: number) => Array.from({ length: n }, () => randomUUID());

  it('takes up to 1000 UUIDs, each once, in either case', () => {
    expect(problems(SplitUnitRequest, split(ids(1000)))).toEqual([]);
    expect(problems(SplitUnitRequest, split(ids(1001)))).toEqual(['childIds must contain no more than 1000 elements']);
    expect(problems(SplitUnitRequest, split([SOURCE, SOURCE.toUpperCase()]))).toEqual(['childIds must name each child once']);
    expect(problems(SplitUnitRequest, split(['X-1']))).toEqual(['each child id must be a UUID']);
  });

  it('is for splits alone: a merge target takes every child of its sources', () => {
    const errors = validateSync(plainToInstance(MergeUnitsRequest, { sourceIds: [SOURCE], target: { unitId: SOURCE, childIds: [] } }), { whitelist: true, forbidNonWhitelisted: true });
    expect(JSON.stringify(errors)).toMatch(/property childIds should not exist/);
  });
});
