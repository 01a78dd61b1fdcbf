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
});
