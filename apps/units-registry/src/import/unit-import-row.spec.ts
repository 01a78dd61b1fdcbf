import { parseCsv, parseJson, validateRows } from './unit-import-row';

describe('import files', () => {
  it('reads JSON units, an array or { units }, in camelCase or snake_case, numbering them from 1', () => {
    const units = [
      { code: 'NA', name: 'Tỉnh Nghệ An', kind: 'province', subtype: 'tinh', effectiveFrom: '2024-01-01' },
      { code: 'NA-NL', name: 'Huyện Nghi Lộc', kind: 'district', parent_code: 'NA', tags: ['coastal'], effective_from: '2024-01-01' },
    ];
    for (const text of [JSON.stringify(units), JSON.stringify({ units })]) {
      const { rows, rejections } = validateRows(parseJson(text));
      expect(rejections).toEqual([]);
      expect(rows.map(({ line, row }) => [line, row.code, row.parentCode ?? null, row.tags ?? [], row.effectiveFrom])).toEqual([
        [1, 'NA', null, [], '2024-01-01'],
        [2, 'NA-NL', 'NA', ['coastal'], '2024-01-01'],
      ]);
    }
  });

  it('reports each bad JSON unit by its position and reason, and refuses a file that holds no list', () => {
    const { rows, rejections } = validateRows(parseJson(JSON.stringify([{ code: 'OK', name: 'Tỉnh', kind: 'province' }, { code: 'X', name: 'Sao', kind: 'planet' }, null])));
    expect(rows.map((r) => r.row.code)).toEqual(['OK']);
    expect(rejections).toEqual([
      { line: 2, code: 'X', reason: expect.stringMatching(/kind must be one of/) },
      { line: 3, code: undefined, reason: expect.stringMatching(/code/) },
    ]);
    expect(() => parseJson('{"unit": []}')).toThrow('The JSON file must hold an array of units');
  });

  it('reads CSV with its header, tags separated by semicolons, numbering rows by their line in the file', () => {
    const { rows, rejections } = validateRows(parseCsv('code,name,kind,subtype,parent_code,tags,effective_from\nNA,Tỉnh Nghệ An,province,tinh,,border;coastal,2024-01-01\n'));
    expect(rejections).toEqual([]);
    expect(rows.map(({ line, row }) => [line, row.code, row.tags])).toEqual([[2, 'NA', ['border', 'coastal']]]);
  });

  it('reports a CSV row with too many or too few fields by its line, with the other rows', () => {
    const csv = [
      'code,name,kind,subtype,parent_code,tags,effective_from',
      'NA,Tỉnh Nghệ An,province,tinh,,,2024-01-01',
      'XA,Xã A, B,commune,xa,NA,,2024-01-01',
      'XB,"Xã B, C",commune,xa,NA,,2024-01-01',
      'XC,Xã C,commune',
    ].join('\n');
    const { rows, rejections } = validateRows(parseCsv(csv));
    expect(rows.map(({ line, row }) => [line, row.code, row.name])).toEqual([
      [2, 'NA', 'Tỉnh Nghệ An'],
      [4, 'XB', 'Xã B, C'],
    ]);
    expect(rejections).toEqual([
      { line: 3, code: 'XA', reason: 'the row has 8 fields where the header names 7 (quote a value that holds a comma)' },
      { line: 5, code: 'XC', reason: 'the row has 3 fields where the header names 7 (quote a value that holds a comma)' },
    ]);
  });
});
