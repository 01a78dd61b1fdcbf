import { jsonDepth, MAX_JSON_DEPTH, refuseDeepJson } from './json-depth';

const depth = (text: string) => jsonDepth(Buffer.from(text, 'utf8'));

describe('jsonDepth', () => {
  it('counts nested arrays and objects, not brackets inside strings, escaped quotes included', () => {
    expect(depth('1')).toBe(0);
    expect(depth('{"a":[1,{"b":[]}]}')).toBe(4);
    expect(depth('{"a":"[[[{{{","b":"\\"[[[","c":[]}')).toBe(2);
    expect(depth('{"tên":"Xã Môn Sơn [cũ]","d":{"e":{}}}')).toBe(3);
  });

  it('lets a body as deep as the limit through and refuses a deeper one with a 400 saying why', () => {
    const nested = (levels: number) => Buffer.from(`${'['.repeat(levels)}${']'.repeat(levels)}`);
    expect(() => refuseDeepJson(null, null, nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => refuseDeepJson(null, null, nested(MAX_JSON_DEPTH + 1))).toThrow(
      expect.objectContaining({ status: 400, message: `The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep` }),
    );
  });
});
